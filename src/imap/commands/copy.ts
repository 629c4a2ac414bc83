/**
 * COPY and UID COPY (RFC 3501 sections 6.4.7 and 6.4.8). A missing destination is NO [TRYCREATE]; the
 * store copies all or nothing. COPYUID (RFC 4315) is added when UIDPLUS is in force (advertised, or
 * IMAP4rev2 enabled). `$` (RFC 5182) is accepted when SEARCHRES is.
 */
import { isStoreError } from '../../store/errors.ts';
import { ImapError } from '../protocol/errors.ts';
import { CODES } from '../protocol/response-codes.ts';
import { atom } from '../protocol/values.ts';
import type { ImapDecoder } from '../wire/decoder.ts';
import { formatOrderedUidSet, type SequenceSet } from '../wire/sequence-set.ts';
import { checkSavedSet, selectedView } from './fetch-context.ts';
import { featureActive } from './features.ts';
import type { CommandContext, CommandResult, CommandSpec } from './types.ts';

/** Decoded COPY arguments. */
export interface CopyArgs {
  readonly set: SequenceSet;
  readonly destination: string;
}

/** `SP sequence-set SP mailbox`, up to the end of the command. */
export function parseCopyArgs(d: ImapDecoder): CopyArgs {
  d.sp();
  const set = d.sequenceSet();
  d.sp();
  const destination = d.mailbox();
  d.end();
  return { set, destination };
}

async function runCopy(ctx: CommandContext, args: CopyArgs, byUid: boolean): Promise<CommandResult> {
  const view = selectedView(ctx);
  checkSavedSet(ctx, args.set);
  const uids = view.resolve(args.set, byUid);
  // An empty `$` is a valid set that matches nothing (RFC 5182 section 2.1, example 6).
  if (uids.length === 0) return { text: 'No messages found.' };
  let result;
  try {
    result = await view.mailbox.copy(uids, args.destination);
  } catch (err) {
    // RFC 3501 section 6.4.7: a destination that does not exist is NO [TRYCREATE].
    if (isStoreError(err, 'notFound')) {
      throw new ImapError('NO', `Mailbox doesn't exist: ${args.destination}`, { name: CODES.TRYCREATE });
    }
    throw err;
  }
  // COPYUID with UIDPLUS (RFC 4315 section 3), which IMAP4rev2 includes (RFC 9051 section 6.4.7).
  if (result.sourceUids.length > 0 && featureActive(ctx, 'UIDPLUS')) {
    return {
      text: 'Copy completed.',
      code: {
        name: 'COPYUID',
        args: [
          result.uidValidity,
          atom(formatOrderedUidSet(result.sourceUids)),
          atom(formatOrderedUidSet(result.destinationUids)),
        ],
      },
    };
  }
  return { text: 'Copy completed.' };
}

/** COPY and UID COPY; both allow pending EXPUNGEs to be sent (RFC 3501 section 7.4.1 names only FETCH, STORE, SEARCH). */
export const copyCommands: readonly CommandSpec[] = [
  {
    name: 'COPY',
    states: ['selected'],
    expunge: 'allow',
    parse: (d) => parseCopyArgs(d),
    run: (ctx, args) => runCopy(ctx, args, false),
  } satisfies CommandSpec<CopyArgs>,
  {
    name: 'UID COPY',
    states: ['selected'],
    expunge: 'allow',
    parse: (d) => parseCopyArgs(d),
    run: (ctx, args) => runCopy(ctx, args, true),
  } satisfies CommandSpec<CopyArgs>,
];
