/**
 * The embedding API: what a POP3 server asks of the application, one handler per connection
 * (popart's Handler, made async). Message numbers are 1-based, as on the wire (RFC 1939 section 3), and
 * refer to the maildrop as it was when the session locked it.
 */
import type { Readable } from 'node:stream';
import type { SaslCredentialLookup, SaslIdentity } from '../auth/types.ts';

/** Response codes a handler may attach to an error (RFC 2449 section 8, RFC 3206). */
export type Pop3ResponseCode = 'AUTH' | 'SYS/TEMP' | 'SYS/PERM' | 'IN-USE' | 'LOGIN-DELAY';

/**
 * An error whose message is shown to the client as `-ERR [CODE] message`. Any other error thrown by a handler
 * becomes a generic `-ERR [SYS/TEMP]` and is passed to handleSessionError.
 */
export class Pop3ReportableError extends Error {
  override readonly name = 'Pop3ReportableError';
  /** Response code sent in brackets before the text, if any. */
  readonly code: Pop3ResponseCode | undefined;
  constructor(message: string, options: { code?: Pop3ResponseCode; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
  }
}

/** popart's NewReportableError: a reportable error with an optional response code. */
export function newReportableError(message: string, code?: Pop3ResponseCode): Pop3ReportableError {
  return new Pop3ReportableError(message, code === undefined ? {} : { code });
}

/** Who connected: passed to onConnection. */
export interface Pop3Peer {
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly localAddress?: string;
  readonly localPort?: number;
  /**
   * True while the connection is encrypted: from the start for implicit TLS (POP3S), and from the end of a
   * successful STLS handshake on. The object given to onConnection is live, so a handler that reads it at
   * authentication time sees the upgrade.
   */
  readonly secure: boolean;
}

/** What Pop3ServerOptions.onCommand receives once a command has been answered. */
export interface Pop3CommandEvent {
  /**
   * The command's upper-case name from the command table (USER, RETR, STLS ...), or UNKNOWN for a line
   * that names no command (including a line too long to read): a small, fixed set, safe as a metric label.
   */
  readonly command: string;
  /** The final status line was +OK (for AUTH: after the whole SASL exchange). */
  readonly ok: boolean;
  /** From the command line's dispatch to its last response byte handed to the socket. */
  readonly durationMs: number;
  /** The session's identifier, as in the server's log lines (`session`). */
  readonly connectionId: string;
}

/** What Pop3ServerOptions.onAuthFailure receives when a login is refused with [AUTH]. */
export interface Pop3AuthFailureEvent {
  readonly connectionId: string;
  /** The command that tried: PASS (after USER), APOP or AUTH. */
  readonly command: 'PASS' | 'APOP' | 'AUTH';
  /** The SASL mechanism for AUTH, null otherwise. */
  readonly mechanism: string | null;
  /** The user name tried, or null when a SASL exchange failed before naming one. */
  readonly username: string | null;
  readonly remoteAddress: string | null;
  /** Whether the connection was encrypted at the time. */
  readonly secure: boolean;
}

/** Serves one POP3 connection. All methods may throw Pop3ReportableError to show a message to the client. */
export interface Pop3Handler {
  /** USER/PASS. Resolve to accept; throw (Pop3ReportableError with code AUTH) to refuse. */
  authenticatePass(username: string, password: string): Promise<void>;
  /**
   * APOP (RFC 1939 section 7): `digest` is the lower-case hex MD5 of the greeting timestamp (given to
   * setBanner) followed by the shared secret. APOP is offered only when the server enables it AND the handler
   * implements this method.
   */
  authenticateApop?(username: string, digest: string): Promise<void>;
  /**
   * AUTH (RFC 5034). Called with the identity a SASL mechanism proved. When absent, 'password' identities go
   * to authenticatePass (and an authzid different from the user is refused); 'verified' ones are refused.
   */
  authenticateSasl?(identity: SaslIdentity): Promise<void>;
  /** Credentials lookup for mechanisms that verify the user themselves (SCRAM). */
  readonly saslLookup?: SaslCredentialLookup;
  /** Called at QUIT in the UPDATE state with the numbers marked deleted (any order). All or nothing. */
  deleteMessages(numbers: readonly number[]): Promise<void>;
  /** The message's bytes; the server destroys the stream when done (or early, for TOP). */
  getMessageReader(number: number): Promise<Readable>;
  /** Called after a RETR was sent completely (the store handler notes the message for \Seen at QUIT). Optional. */
  messageRetrieved?(number: number): Promise<void>;
  /**
   * Called once at QUIT on entering the UPDATE state (RFC 1939 section 6), before deleteMessages, with the
   * numbers marked deleted (possibly none): the store handler sets \Seen on the retrieved messages here, in one
   * store call, as Dovecot does. Not called when the connection drops. A throw fails the QUIT like a failed
   * deleteMessages. Optional.
   */
  enterUpdate?(deleted: readonly number[]): Promise<void>;
  /** Number of messages in the maildrop; asked once, right after lockMaildrop. */
  getMessageCount(): Promise<number>;
  /** Unique id persistent across sessions (UIDL): 1-70 characters from 0x21 to 0x7E (RFC 1939 section 7). */
  getMessageId(number: number): Promise<string>;
  /** Size in octets after CRLF normalization (RFC 1939 section 11); asked once per message after the lock. */
  getMessageSize(number: number): Promise<number>;
  /** Errors outside the client's control (handler failures, socket errors, bugs) land here. */
  handleSessionError(err: unknown): void;
  /** Called after successful authentication; throw to refuse (the client sees -ERR [IN-USE]). */
  lockMaildrop(): Promise<void>;
  /** Called once at the end of every session that has a handler, whatever happened, even if lockMaildrop failed. */
  unlockMaildrop(): Promise<void>;
  /** With APOP enabled: the greeting timestamp `<pid.time.random@hostname>`, before the greeting is sent. */
  setBanner(banner: string): Promise<void>;
}
