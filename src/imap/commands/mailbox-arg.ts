/**
 * Helpers shared by the mailbox commands (CREATE, DELETE, RENAME, SELECT/EXAMINE, SUBSCRIBE, STATUS, LIST,
 * APPEND ...): the logged-in user, the single mailbox argument, and the checks on a new mailbox name.
 */
import { HIERARCHY_SEPARATOR, INBOX, mailboxNameProblem } from '../../core/mailbox-name.ts';
import { ImapError, ImapErrors } from '../protocol/errors.ts';
import { CODES } from '../protocol/response-codes.ts';
import type { ImapDecoder } from '../wire/decoder.ts';
import type { CommandContext } from './types.ts';

/** Mailbox name argument of CREATE/DELETE/SELECT/SUBSCRIBE. */
export interface MailboxArg {
  readonly mailbox: string;
}

/** Parse `SP mailbox` and the end of the line: the whole argument of DELETE, SELECT, SUBSCRIBE ... */
export function parseMailboxArg(dec: ImapDecoder): MailboxArg {
  dec.sp();
  const mailbox = dec.mailbox();
  dec.end();
  return { mailbox };
}

/** The logged-in user (the dispatcher guarantees the state; this keeps the types honest). */
export function userOf(ctx: CommandContext): NonNullable<CommandContext['user']> {
  if (!ctx.user) throw ImapErrors.notAuthenticated();
  return ctx.user;
}

/** Refuse a name the store should never see (empty levels, wildcards, control characters). */
export function checkNewName(name: string): void {
  const problem = mailboxNameProblem(name);
  if (problem) throw ImapErrors.invalidMailboxName(problem);
}

/**
 * The name a CREATE or RENAME target really gets: trailing hierarchy separators are dropped ("foo/" is
 * "foo", as RFC 3501 section 6.3.3 suggests), INBOX is refused as existing, and the name must be valid.
 */
export function newMailboxName(raw: string): string {
  let name = raw;
  while (name.endsWith(HIERARCHY_SEPARATOR)) name = name.slice(0, -1);
  if (name === INBOX) throw new ImapError('NO', 'Mailbox already exists.', { name: CODES.ALREADYEXISTS });
  checkNewName(name);
  return name;
}
