/**
 * The command table's vocabulary: each POP3 command is data (name, states, argument shape) plus a run
 * function over a narrow context the session implements. Commands never see the socket.
 */
import type { Pop3Handler, Pop3ResponseCode } from '../handler.ts';
import type { Maildrop } from '../maildrop.ts';

/** RFC 1939 section 3 states in which commands run (UPDATE only exists inside QUIT). */
export type Pop3State = 'authorization' | 'transaction';

/** What a command can do to its session. */
export interface Pop3CommandContext {
  readonly state: Pop3State;
  readonly handler: Pop3Handler;
  /** The locked maildrop; non-null in the TRANSACTION state. */
  readonly maildrop: Maildrop | null;
  /** Send `+OK text`. */
  ok(text: string): Promise<void>;
  /** Send `-ERR [code] text`. */
  err(text: string, code?: Pop3ResponseCode): Promise<void>;
  /** Send `+OK first`, the lines (dot-stuffed) and the terminator. */
  multiline(first: string, lines: Iterable<string>): Promise<void>;
  /** Stream message `number` as a multi-line response, whole (RETR) or header + n body lines (TOP). */
  sendMessage(number: number, first: string, bodyLines?: number): Promise<void>;
  /** The CAPA lines for the current state. */
  capabilities(): string[];
  /** A command the client got wrong: counts toward the bad-command limit. */
  badCommand(text: string): Promise<void>;
  /** USER/PASS allowed on this connection (TLS, loopback or allowInsecureAuth). */
  readonly plaintextAllowed: boolean;
  /** The APOP greeting timestamp, or null when APOP is not offered. */
  readonly apopTimestamp: string | null;
  /** Name given by USER, waiting for PASS. */
  pendingUser: string | null;
  /** Authenticate with `attempt`, then lock the maildrop and enter TRANSACTION; replies itself. */
  login(username: string, attempt: () => Promise<void>): Promise<void>;
  /** RFC 5034 AUTH exchange; replies itself. */
  authenticate(mechanism: string, initialResponse: string | undefined): Promise<void>;
  /** Mechanism names offered on this connection now. */
  mechanisms(): string[];
  /** STLS is offered (TLS configured, connection not yet secure). */
  readonly tlsAvailable: boolean;
  /** RFC 2595 STLS: reply +OK, discard pipelined input, handshake. */
  startTls(): Promise<void>;
  /** QUIT: in TRANSACTION, enter UPDATE and delete; then close. Replies itself. */
  quit(): Promise<void>;
}

/** One entry of the command table. */
export interface Pop3CommandSpec {
  /** Upper-case keyword. */
  readonly name: string;
  readonly states: readonly Pop3State[];
  /**
   * Argument shape: `words` splits on spaces and checks the count; `rest` passes everything after the first
   * space as one argument (PASS: RFC 1939 section 7 lets passwords contain spaces).
   */
  readonly args: { readonly kind: 'words'; readonly min: number; readonly max: number } | { readonly kind: 'rest'; readonly optional: boolean };
  /** Arguments must not appear in debug logs (PASS, APOP, AUTH). */
  readonly redact?: boolean;
  run(ctx: Pop3CommandContext, args: readonly string[]): Promise<void>;
}
