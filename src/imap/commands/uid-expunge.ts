/**
 * UID EXPUNGE (RFC 4315 section 2.1, part of IMAP4rev2: RFC 9051 section 6.4.9): expunge the messages
 * flagged \Deleted among the given UIDs only, so that a client does not remove what another client
 * marked. The store reports the removed UIDs through the change feed; the dispatcher turns them into
 * untagged EXPUNGE responses before the tagged OK (expunge policy 'allow').
 */
import { ImapErrors } from '../protocol/errors.ts';
import type { ImapDecoder } from '../wire/decoder.ts';
import type { SequenceSet } from '../wire/sequence-set.ts';
import { checkSavedSet, selectedView } from './fetch-context.ts';
import type { CommandSpec } from './types.ts';

/** Decoded UID EXPUNGE arguments. */
export interface UidExpungeArgs {
  readonly set: SequenceSet;
}

/** `SP sequence-set` (UIDs), up to the end of the command. */
export function parseUidExpungeArgs(d: ImapDecoder): UidExpungeArgs {
  d.sp();
  const set = d.sequenceSet();
  d.end();
  return { set };
}

/** `UID EXPUNGE sequence-set`. */
export const uidExpungeCommand: CommandSpec<UidExpungeArgs> = {
  name: 'UID EXPUNGE',
  states: ['selected'],
  expunge: 'allow',
  parse: (d) => parseUidExpungeArgs(d),
  async run(ctx, args) {
    const view = selectedView(ctx);
    checkSavedSet(ctx, args.set);
    if (view.readOnly) throw ImapErrors.mailboxReadOnly();
    const uids = view.resolve(args.set, true);
    // An empty set is not an error: nothing matched, nothing is expunged (as Dovecot answers).
    if (uids.length > 0) await view.mailbox.expunge(uids);
    return { text: 'Expunge completed.' };
  },
};
