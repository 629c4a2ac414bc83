/** Capability names the core advertises (RFC 3501 section 7.2.1). Only complete features appear. */
export const CAP = {
  IMAP4REV1: 'IMAP4rev1',
  STARTTLS: 'STARTTLS',
  LOGINDISABLED: 'LOGINDISABLED',
  /** Prefix of SASL mechanism capabilities: AUTH=PLAIN. */
  AUTH_PREFIX: 'AUTH=',
} as const;

/** SASL mechanisms that reveal the password to an eavesdropper: offered only when plaintext auth is allowed. */
export const PLAINTEXT_MECHANISMS: ReadonlySet<string> = new Set(['PLAIN', 'LOGIN']);
