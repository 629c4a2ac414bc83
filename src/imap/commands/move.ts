/**
 * MOVE and UID MOVE (RFC 6851, part of IMAP4rev2: RFC 9051 section 6.4.8). The store moves the messages
 * atomically (MovableMailbox, checked when the server is built by the MOVE extension). The responses
 * follow RFC 6851 section 4.3: first `* OK [COPYUID ...]` (when UIDPLUS is in force; RFC 9051 appendix E
 * item 7), then one untagged EXPUNGE per moved message (from the change feed, written by the
 * dispatcher), then the tagged OK.
 */
import { isStoreError } from '../../store/errors.ts';
import { isMovable } from '../../store/types.ts';
import { ImapError, ImapErrors } from '../protocol/errors.ts';
import { CODES } from '../protocol/response-codes.ts';
import { atom } from '../protocol/values.ts';
import { formatOrderedUidSet } from '../wire/sequence-set.ts';
import { parseCopyArgs, type CopyArgs } from './copy.ts';
import { checkSavedSet, selectedView } from './fetch-context.ts';
import { featureActive } from './features.ts';
import type { CommandContext, CommandResult, CommandSpec } from './types.ts';

async function runMove(ctx: CommandContext, args: CopyArgs, byUid: boolean): Promise<CommandResult> {
  const view = selectedView(ctx);
  checkSavedSet(ctx, args.set);
  const uids = view.resolve(args.set, byUid);
  // Like EXPUNGE, MOVE changes the source mailbox: refused when it was opened with EXAMINE.
  if (view.readOnly) throw ImapErrors.mailboxReadOnly();
  if (uids.length === 0) return { text: 'No messages found.' };
  const mailbox = view.mailbox;
  // The MOVE extension refuses to start over a store without move(); this guards custom setups.
  if (!isMovable(mailbox)) throw new ImapError('NO', 'MOVE is not supported by this mailbox', { name: CODES.CANNOT });
  let result;
  try {
    result = await mailbox.move(uids, args.destination);
  } catch (err) {
    // RFC 6851 section 3.3 / RFC 9051 section 6.4.8: a destination that does not exist is NO [TRYCREATE].
    if (isStoreError(err, 'notFound')) {
      throw new ImapError('NO', `Mailbox doesn't exist: ${args.destination}`, { name: CODES.TRYCREATE });
    }
    throw err;
  }
  if (result.sourceUids.length > 0 && featureActive(ctx, 'UIDPLUS')) {
    // Untagged, before the expunges: the tagged OK comes after them and must not carry it (RFC 6851 4.3).
    await ctx.out.status('OK', 'Moved UIDs.', {
      name: 'COPYUID',
      args: [result.uidValidity, atom(formatOrderedUidSet(result.sourceUids)), atom(formatOrderedUidSet(result.destinationUids))],
    });
  }
  return { text: 'Move completed.' };
}

/** MOVE and UID MOVE; both send their EXPUNGEs before the tagged OK (RFC 6851 section 3.3). */
export const moveCommands: readonly CommandSpec[] = [
  {
    name: 'MOVE',
    states: ['selected'],
    expunge: 'allow',
    parse: (d) => parseCopyArgs(d),
    run: (ctx, args) => runMove(ctx, args, false),
  } satisfies CommandSpec<CopyArgs>,
  {
    name: 'UID MOVE',
    states: ['selected'],
    expunge: 'allow',
    parse: (d) => parseCopyArgs(d),
    run: (ctx, args) => runMove(ctx, args, true),
  } satisfies CommandSpec<CopyArgs>,
];
