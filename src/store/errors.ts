/**
 * Store errors: one closed set of kinds, mapped once per protocol (IMAP response codes, POP3 codes,
 * LMTP replies), the way Dovecot's mail_error enum is.
 */

/** Every failure a store may report to a protocol layer. */
export type StoreErrorKind =
  /** Mailbox or message does not exist (IMAP NO [NONEXISTENT]; COPY/APPEND target: [TRYCREATE]). */
  | 'notFound'
  /** Mailbox already exists (IMAP NO [ALREADYEXISTS]). */
  | 'exists'
  /** Bad credentials (IMAP NO [AUTHENTICATIONFAILED], POP3 -ERR [AUTH]). */
  | 'authFailed'
  /** The operation is not allowed on this object (IMAP NO [NOPERM] / [CANNOT]). */
  | 'noPermission'
  /** The name or argument is invalid for this store (IMAP NO [CANNOT]). */
  | 'invalid'
  /** Message too big (IMAP NO [TOOBIG], LMTP 552). */
  | 'tooBig'
  /** Quota exceeded (IMAP NO [OVERQUOTA], LMTP 452). */
  | 'overQuota'
  /** Resource is locked or busy (IMAP NO [INUSE], POP3 -ERR [IN-USE]). */
  | 'inUse'
  /** The mailbox has children and cannot be deleted that way (IMAP NO [HASCHILDREN]). */
  | 'hasChildren'
  /** Temporary failure, the client may retry (IMAP NO [UNAVAILABLE], POP3 [SYS/TEMP], LMTP 451). */
  | 'unavailable'
  /** The mailbox changed under us (UIDVALIDITY changed, mailbox deleted while selected). */
  | 'expired';

/** An error a store raises on purpose; its message is safe to show to the client. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Type guard for StoreError, optionally of one kind. */
export function isStoreError(err: unknown, kind?: StoreErrorKind): err is StoreError {
  return err instanceof StoreError && (kind === undefined || err.kind === kind);
}
