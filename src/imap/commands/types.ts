/**
 * The command table's vocabulary. Every command is a CommandSpec in its own file; the session implements
 * CommandContext. This file imports nothing from imap/session (DESIGN.md section 1).
 */
import type { Readable } from 'node:stream';
import type { Backend, Mailbox, User } from '../../store/types.ts';
import type { ImapValue } from '../protocol/values.ts';
import type { ImapDecoder } from '../wire/decoder.ts';
import type { SequenceSet } from '../wire/sequence-set.ts';

/** RFC 3501 section 3 connection states. */
export type SessionState = 'notAuthenticated' | 'authenticated' | 'selected' | 'logout';

/** Tagged status of a completed command. */
export type StatusKind = 'OK' | 'NO' | 'BAD';

/** A response code: `[NAME args]` (RFC 3501 section 7.1, RFC 5530). */
export interface ResponseCode {
  readonly name: string;
  /** Rendered after the name, separated by SP; lists render parenthesized. */
  readonly args?: readonly ImapValue[];
}

/** What a handler may return to shape its tagged response (go-imap's ErrStatusResp). */
export interface CommandResult {
  readonly status?: StatusKind;
  readonly code?: ResponseCode;
  readonly text?: string;
}

/** go-imap's ErrNoStatusResp: the handler wrote its own completion (or the connection is gone). */
export const NO_STATUS: unique symbol = Symbol('mailroom.imap.noStatus');

/**
 * When untagged EXPUNGE may follow a command (RFC 3501 section 7.4.1): never after FETCH, STORE and
 * SEARCH by sequence number; the dispatcher holds expunges back until a command that allows them.
 */
export type ExpungePolicy = 'allow' | 'defer';

/** One entry of the command table. */
export interface CommandSpec<Args = unknown> {
  /** Upper-case command name; UID commands are named "UID FETCH" etc. */
  readonly name: string;
  /** States in which the command is valid; elsewhere the dispatcher answers BAD (or NO, per RFC). */
  readonly states: readonly SessionState[];
  readonly expunge: ExpungePolicy;
  /**
   * Decode the arguments. The decoder stands right after the command name (before the SP that precedes
   * the first argument); `parse` must consume everything up to the end of the command (decoder.end()).
   * Throwing DecodeError makes the dispatcher answer BAD.
   */
  parse(decoder: ImapDecoder, context: ParseContext): Args;
  /** Execute. Throw ImapError for NO/BAD, StoreError for store failures (mapped once, by the dispatcher). */
  run(context: CommandContext, args: Args): Promise<CommandResult | typeof NO_STATUS | void>;
}

/** What parsing may depend on (UTF-8 mailbox names after ENABLE UTF8=ACCEPT / IMAP4rev2). */
export interface ParseContext {
  readonly utf8: boolean;
  readonly enabled: ReadonlySet<string>;
}

/** The sink for untagged responses and continuation requests, respecting socket backpressure. */
export interface ResponseWriter {
  /** `* v1 v2 ...` rendered by the encoder. */
  untagged(...values: ImapValue[]): Promise<void>;
  /** `* OK|NO|BAD|BYE|PREAUTH [code] text`. */
  status(kind: StatusKind | 'BYE' | 'PREAUTH', text: string, code?: ResponseCode): Promise<void>;
  /** Raw pre-encoded bytes (e.g. a FETCH response prefix built by the encoder). */
  raw(bytes: Buffer): Promise<void>;
  /** Bytes from a stream, with backpressure (large message bodies). */
  stream(source: Readable): Promise<void>;
}

/** A session's view of its selected mailbox: sequence numbers <-> UIDs and \Recent (imap/session owns it). */
export interface SelectedView {
  readonly mailbox: Mailbox;
  readonly readOnly: boolean;
  /** Messages in the client's view (the number behind `*`). */
  readonly exists: number;
  /** UID of sequence number `seq` (1-based); throws for out of range. */
  uidAt(seq: number): number;
  /** Sequence number of a UID in the client's view, 0 when absent. */
  seqOf(uid: number): number;
  /**
   * UIDs (ascending, existing in the client's view) addressed by a set. With byUid the set holds UIDs;
   * otherwise sequence numbers, and an out-of-range number is a BAD (RFC 9051 section 6.4.8 / Dovecot).
   * `$` (RFC 5182) resolves to the saved search result.
   */
  resolve(set: SequenceSet, byUid: boolean): number[];
  /** Whether the message is \Recent for this session. */
  isRecent(uid: number): boolean;
  /** RFC 5182 SEARCHRES saved result (UIDs). */
  savedSearch: readonly number[];
}

/** Connection facts a handler may need. */
export interface ConnectionFacts {
  readonly id: string;
  readonly remoteAddress: string;
  readonly secure: boolean;
  /** True on loopback (policy for plaintext auth may use it). */
  readonly loopback: boolean;
}

/** Everything a command may do; the session implements it. */
export interface CommandContext {
  readonly tag: string;
  readonly state: SessionState;
  readonly connection: ConnectionFacts;
  readonly backend: Backend;
  /** The logged-in user, or null before authentication. */
  readonly user: User | null;
  /** The selected mailbox view, or null when none is selected. */
  readonly selected: SelectedView | null;
  readonly out: ResponseWriter;
  /** Capabilities for the current state (they differ before and after login and TLS). */
  capabilities(): string[];
  /** Extensions enabled with ENABLE (upper-case names). */
  readonly enabled: ReadonlySet<string>;
  /** Whether plaintext authentication is allowed right now (TLS, loopback policy or allowInsecureAuth). */
  readonly plaintextAuthAllowed: boolean;
  /** Send `+ text` (or `+ base64`) and read one line from the client (AUTHENTICATE, IDLE). */
  continuation(text: string): Promise<Buffer>;
  /** Enter the authenticated state. */
  login(user: User): Promise<void>;
  /**
   * Report bad credentials (LOGIN, AUTHENTICATE): the session delays the answer and counts failures,
   * closing the connection after too many (added by the IMAP core engineer).
   */
  authFailed(): Promise<void>;
  /** \Recent count of a mailbox for STATUS RECENT: session state, computed by the session (added by the IMAP core engineer). */
  recentCount(mailbox: string): Promise<number>;
  /**
   * Write pending mailbox updates now, EXPUNGE included (for IDLE, RFC 2177, which may report changes
   * at any time while idling). Added by the IMAP core engineer.
   */
  flushUpdates(): Promise<void>;
  /**
   * Call `listener` whenever a change to the selected mailbox is queued (IDLE pushes it with
   * flushUpdates). Returns the function that unsubscribes. Added by the IMAP core engineer.
   */
  onUpdate(listener: () => void): () => void;
  /** Select (or examine) a mailbox: opens it, sends the RFC 3501 section 6.3.1 responses, enters selected. */
  select(name: string, readOnly: boolean): Promise<void>;
  /** Leave the selected state; `expunge` performs CLOSE's silent expunge first. */
  unselect(options: { expunge: boolean }): Promise<void>;
  /** Enable extensions (ENABLE); returns the ones newly enabled. */
  enable(names: readonly string[]): string[];
  /** Run a connection upgrade (STARTTLS, COMPRESS) after the tagged OK has been written. */
  upgradeAfterResponse(kind: 'starttls' | 'compress'): void;
  /** Authenticate through a registered SASL mechanism (AUTHENTICATE): null when none has that name. */
  saslMechanism(name: string): import('../../auth/types.ts').SaslServer | null;
  /** Log through the server's logger with the connection id. */
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
  /** Begin logout: the dispatcher writes BYE, the tagged OK, and closes. */
  logout(): void;
}
