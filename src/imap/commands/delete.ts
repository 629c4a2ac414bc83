/**
 * DELETE (RFC 3501 section 6.3.4). INBOX cannot be deleted. Deleting the selected mailbox first closes
 * it (without expunge), so the session does not have to drop the connection when the store reports it gone.
 */
import { INBOX } from '../../core/mailbox-name.ts';
import { ImapError } from '../protocol/errors.ts';
import { CODES } from '../protocol/response-codes.ts';
import { parseMailboxArg, userOf, type MailboxArg } from './mailbox-arg.ts';
import type { CommandSpec } from './types.ts';

/** `DELETE mailbox`. */
export const deleteCommand: CommandSpec<MailboxArg> = {
  name: 'DELETE',
  states: ['authenticated', 'selected'],
  expunge: 'allow',
  parse: parseMailboxArg,
  async run(ctx, args) {
    if (args.mailbox === INBOX) throw new ImapError('NO', 'INBOX cannot be deleted.', { name: CODES.CANNOT });
    const user = userOf(ctx);
    if (ctx.selected && ctx.selected.mailbox.info.name === args.mailbox) await ctx.unselect({ expunge: false });
    await user.deleteMailbox(args.mailbox);
    return { text: 'Delete completed.' };
  },
};
