/**
 * CREATE (RFC 3501 section 6.3.3). A trailing hierarchy separator is dropped (the name "foo/" creates
 * "foo", as the RFC suggests); missing parents are created by the store.
 */
import { HIERARCHY_SEPARATOR, INBOX, mailboxNameProblem } from '../../core/mailbox-name.ts';
import { ImapError, ImapErrors } from '../protocol/errors.ts';
import { CODES } from '../protocol/response-codes.ts';
import type { CommandContext, CommandSpec } from './types.ts';

/** Mailbox name argument of CREATE/DELETE/RENAME/SUBSCRIBE. */
export interface MailboxArg {
  readonly mailbox: string;
}

/** Refuse a name the store should never see (empty levels, wildcards, control characters). */
export function checkNewName(name: string): void {
  const problem = mailboxNameProblem(name);
  if (problem) throw ImapErrors.invalidMailboxName(problem);
}

/** The logged-in user (the dispatcher guarantees the state; this keeps the types honest). */
export function userOf(ctx: CommandContext): NonNullable<CommandContext['user']> {
  if (!ctx.user) throw ImapErrors.notAuthenticated();
  return ctx.user;
}

/** `CREATE mailbox`. */
export const createCommand: CommandSpec<MailboxArg> = {
  name: 'CREATE',
  states: ['authenticated', 'selected'],
  expunge: 'allow',
  parse(dec) {
    dec.sp();
    const mailbox = dec.mailbox();
    dec.end();
    return { mailbox };
  },
  async run(ctx, args) {
    let name = args.mailbox;
    while (name.endsWith(HIERARCHY_SEPARATOR)) name = name.slice(0, -1);
    if (name === INBOX) throw new ImapError('NO', 'Mailbox already exists.', { name: CODES.ALREADYEXISTS });
    checkNewName(name);
    await userOf(ctx).createMailbox(name);
    return { text: 'Create completed.' };
  },
};
