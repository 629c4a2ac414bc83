/**
 * RENAME (RFC 3501 section 6.3.5): children follow their parent; renaming INBOX moves its messages into
 * the new mailbox and leaves INBOX empty (the store does both). Renaming to INBOX is an error.
 */
import { HIERARCHY_SEPARATOR } from '../../core/mailbox-name.ts';
import { ImapError } from '../protocol/errors.ts';
import { CODES } from '../protocol/response-codes.ts';
import { newMailboxName, userOf } from './mailbox-arg.ts';
import type { CommandSpec } from './types.ts';

/** RENAME arguments. */
export interface RenameArgs {
  readonly from: string;
  readonly to: string;
}

/** `RENAME existing new`. */
export const renameCommand: CommandSpec<RenameArgs> = {
  name: 'RENAME',
  states: ['authenticated', 'selected'],
  expunge: 'allow',
  parse(dec) {
    dec.sp();
    const from = dec.mailbox();
    dec.sp();
    const to = dec.mailbox();
    dec.end();
    return { from, to };
  },
  async run(ctx, args) {
    const to = newMailboxName(args.to);
    if (to === args.from) throw new ImapError('NO', 'Mailbox already exists.', { name: CODES.ALREADYEXISTS });
    if (to.startsWith(args.from + HIERARCHY_SEPARATOR)) {
      throw new ImapError('NO', "Can't rename mailbox under itself.", { name: CODES.CANNOT });
    }
    await userOf(ctx).renameMailbox(args.from, to);
    return { text: 'Rename completed.' };
  },
};
