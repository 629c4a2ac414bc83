/**
 * ImapError (go-imap's ErrStatusResp) and the typed error catalogue. A handler throws ImapError to end
 * its command with NO or BAD and an optional response code; the dispatcher writes it as is.
 */
import type { ResponseCode } from '../commands/types.ts';
import type { StoreErrorKind } from '../../store/errors.ts';
import { CODES } from './response-codes.ts';

/** A command failure whose text and code go to the client unchanged. */
export class ImapError extends Error {
  override readonly name = 'ImapError';
  constructor(
    readonly status: 'NO' | 'BAD',
    message: string,
    readonly code?: ResponseCode,
  ) {
    super(message);
  }
}

/** Shorthand for a code without arguments. */
function code(name: string): ResponseCode {
  return { name };
}

/**
 * The error catalogue (go-imap's Err* variables plus what RFC 3501 / RFC 5530 name). Each is a function
 * so every throw gets a fresh stack.
 */
export const ImapErrors = {
  /** LOGIN/AUTHENTICATE while authenticated (go-imap ErrAlreadyAuthenticated). */
  alreadyAuthenticated: () => new ImapError('BAD', 'Already authenticated'),
  /** Plaintext authentication refused on an insecure connection (go-imap ErrAuthDisabled; RFC 5530 PRIVACYREQUIRED). */
  authDisabled: () => new ImapError('NO', 'Plaintext authentication disallowed on non-secure connections', code(CODES.PRIVACYREQUIRED)),
  /** Command needs a selected mailbox (go-imap ErrNoMailboxSelected). */
  noMailboxSelected: () => new ImapError('BAD', 'No mailbox selected'),
  /** Write on a mailbox opened with EXAMINE (go-imap ErrMailboxReadOnly). */
  mailboxReadOnly: () => new ImapError('NO', 'Mailbox is read-only', code(CODES.READ_ONLY)),
  /** Command needs authentication (go-imap ErrNotAuthenticated). */
  notAuthenticated: () => new ImapError('BAD', 'Not authenticated'),
  /** Bad credentials (RFC 5530 AUTHENTICATIONFAILED). */
  authenticationFailed: () => new ImapError('NO', 'Authentication failed', code(CODES.AUTHENTICATIONFAILED)),
  /** Command not valid in the current state. */
  wrongState: (command: string) => new ImapError('BAD', `${command} not allowed in this state`),
  /** Unknown command. */
  unknownCommand: () => new ImapError('BAD', 'Unknown command'),
  /** Mailbox does not exist (RFC 5530 NONEXISTENT). */
  noSuchMailbox: () => new ImapError('NO', 'Mailbox does not exist', code(CODES.NONEXISTENT)),
  /** Target of APPEND/COPY does not exist (RFC 3501 TRYCREATE). */
  tryCreate: () => new ImapError('NO', 'Mailbox does not exist', code(CODES.TRYCREATE)),
  /** Literal or message over the size limit (RFC 7889 / RFC 4469 TOOBIG). */
  tooBig: () => new ImapError('NO', 'Message too large', code(CODES.TOOBIG)),
  /** Invalid mailbox name (RFC 5530 CANNOT). */
  invalidMailboxName: (why: string) => new ImapError('NO', `Invalid mailbox name: ${why}`, code(CODES.CANNOT)),
} as const;

/** RFC 5530 response code for a store failure (DESIGN.md section 4: mapped once, here). */
export function storeErrorCode(kind: StoreErrorKind): ResponseCode | undefined {
  switch (kind) {
    case 'notFound':
      return code(CODES.NONEXISTENT);
    case 'exists':
      return code(CODES.ALREADYEXISTS);
    case 'authFailed':
      return code(CODES.AUTHENTICATIONFAILED);
    case 'noPermission':
      return code(CODES.NOPERM);
    case 'invalid':
      return code(CODES.CANNOT);
    case 'tooBig':
      return code(CODES.TOOBIG);
    case 'overQuota':
      return code(CODES.OVERQUOTA);
    case 'inUse':
      return code(CODES.INUSE);
    case 'hasChildren':
      return code(CODES.HASCHILDREN);
    case 'unavailable':
      return code(CODES.UNAVAILABLE);
    case 'expired':
      // The selected mailbox changed under the session; RFC 5530 has no closer code than UNAVAILABLE.
      return code(CODES.UNAVAILABLE);
  }
}
