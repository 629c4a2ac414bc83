/**
 * The resumable receiver: bytes in, complete commands out, whatever way the bytes were split (DESIGN.md
 * section 4; the property test splits at every byte). It never sends anything itself: when a line ends
 * with a literal announcement it stops with a `literal` event so the session can check the size, the
 * command and the state BEFORE any `+` goes out (RFC 3501 section 7.5; RFC 7888 for `{n+}`), then calls
 * acceptLiteral() or rejectLiteral().
 */

/** A complete command: its lines with literal bytes inline after each `{n}\r\n`, without the final CRLF. */
export interface CommandEvent {
  readonly type: 'command';
  readonly bytes: Buffer;
}

/** A literal was announced; the receiver waits for acceptLiteral() / rejectLiteral(). */
export interface LiteralEvent {
  readonly type: 'literal';
  readonly size: number;
  /** `{n+}` (LITERAL+): the client does not wait for `+`, the bytes are already coming. */
  readonly nonSync: boolean;
  /** The command so far, up to and including the `{n}` announcement (to read the tag and command name). */
  readonly prefix: Buffer;
}

/** Input that breaks a limit; the receiver cannot continue and the connection should be closed. */
export interface ReceiverErrorEvent {
  readonly type: 'error';
  readonly reason: 'lineTooLong' | 'commandTooLong' | 'badLiteral';
  /** What has been read of the offending command (to find its tag), at most one line. */
  readonly prefix: Buffer;
}

/** What next() may return; null means "need more bytes" (or waiting for a literal decision). */
export type ReceiverEvent = CommandEvent | LiteralEvent | ReceiverErrorEvent;

/** Receiver limits. */
export interface ReceiverLimits {
  /** Longest line (between literals), CRLF excluded. */
  readonly maxLineLength: number;
  /** Most bytes of one command outside literals, summed over its lines; bounds many small lines. */
  readonly maxCommandLength: number;
  /** Most literals in one command. */
  readonly maxLiterals: number;
}

/**
 * Defaults: 64 KiB lines like Dovecot's imap_max_line_length (long UID sets from real clients fit);
 * 1 MiB of non-literal command text; 1,000 literals per command (MULTIAPPEND or SEARCH with many strings).
 */
export const DEFAULT_RECEIVER_LIMITS: ReceiverLimits = {
  maxLineLength: 64 * 1024,
  maxCommandLength: 1024 * 1024,
  maxLiterals: 1000,
};

/** A literal announcement at the end of a line: `{123}` or `{123+}` (at most 10 digits for uint32). */
const LITERAL_TAIL = /\{([0-9]{1,10})(\+?)\}$/;

/** Byte-stream to command assembler. */
export class ImapReceiver {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  /** Parts of the command being assembled (lines with CRLF, literal bodies). */
  private parts: Buffer[] = [];
  private commandText = 0;
  private literals = 0;
  /** Bytes of literal still to read; -1 when reading a line. */
  private literalLeft = -1;
  private literalChunks: Buffer[] = [];
  private waitingDecision = false;
  /** The command being read was refused: its bytes are read and dropped, no event is produced for it. */
  private discarding = false;
  private failed = false;
  /** How far the current (incomplete) line has been scanned for LF. */
  private scanned = 0;

  constructor(private readonly limits: ReceiverLimits = DEFAULT_RECEIVER_LIMITS) {}

  /** Add received bytes. */
  push(chunk: Buffer): void {
    if (this.failed || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** Bytes received but not yet consumed (pipelined input). */
  get pendingBytes(): number {
    return this.buffered + this.literalChunks.reduce((n, c) => n + c.length, 0);
  }

  /** Whether a command is partly assembled (mid-line or mid-literal). */
  get midCommand(): boolean {
    return this.parts.length > 0 || this.buffered > 0 || this.literalLeft >= 0;
  }

  /** Drop everything buffered and any partial command (STARTTLS: pipelined plaintext is discarded). */
  reset(): void {
    this.chunks.length = 0;
    this.buffered = 0;
    this.scanned = 0;
    this.resetCommand();
  }

  /** Let the announced literal's bytes in (after `+` was sent for a synchronizing literal). */
  acceptLiteral(size: number): void {
    if (!this.waitingDecision) throw new Error('no literal pending');
    this.waitingDecision = false;
    this.literalLeft = size;
    this.literalChunks = [];
  }

  /**
   * Refuse a non-synchronizing literal whose bytes are already coming (RFC 7888 section 4, choice 1): the
   * literal and the rest of its command are read and dropped without any event, so the connection stays
   * usable. Later `{n+}` literals of the same command are dropped too; a synchronizing one ends the
   * command (the client waits for a `+` that never comes, having seen the command's tagged response).
   */
  discardLiteral(size: number): void {
    if (!this.waitingDecision) throw new Error('no literal pending');
    this.waitingDecision = false;
    this.discarding = true;
    this.parts = [];
    this.literalLeft = size;
    this.literalChunks = [];
  }

  /**
   * Refuse the announced literal: the partial command is dropped. For a synchronizing literal the client
   * sends nothing more of that command; after a refused `{n+}` the stream cannot be resynchronized and
   * the caller must close the connection.
   */
  rejectLiteral(): void {
    if (!this.waitingDecision) throw new Error('no literal pending');
    this.waitingDecision = false;
    this.resetCommand();
  }

  private resetCommand(): void {
    this.parts = [];
    this.commandText = 0;
    this.literals = 0;
    this.literalLeft = -1;
    this.literalChunks = [];
    this.waitingDecision = false;
    this.discarding = false;
  }

  /** The next event, or null when more input (or a literal decision) is needed. */
  next(): ReceiverEvent | null {
    if (this.failed || this.waitingDecision) return null;
    for (;;) {
      if (this.literalLeft >= 0) {
        if (!this.readLiteral()) return null;
        continue;
      }
      const line = this.takeLine();
      if (line === null) {
        if (this.buffered > this.limits.maxLineLength) return this.fail('lineTooLong', this.peekAll());
        return null;
      }
      // line includes its LF; strip CRLF (a bare LF is tolerated, as Dovecot does).
      let end = line.length - 1;
      if (end > 0 && line[end - 1] === 0x0d) end--;
      const body = line.subarray(0, end);
      if (body.length > this.limits.maxLineLength) return this.fail('lineTooLong', body);
      this.commandText += body.length;
      if (this.commandText > this.limits.maxCommandLength) return this.fail('commandTooLong', body);
      const lit = endsWithLiteral(body);
      if (this.discarding) {
        if (lit && ++this.literals > this.limits.maxLiterals) return this.fail('commandTooLong', body);
        if (lit && lit.nonSync) {
          this.literalLeft = lit.size;
          this.literalChunks = [];
        } else {
          this.resetCommand();
        }
        continue;
      }
      if (lit) {
        if (++this.literals > this.limits.maxLiterals) return this.fail('commandTooLong', body);
        this.parts.push(body, CRLF);
        this.waitingDecision = true;
        return { type: 'literal', size: lit.size, nonSync: lit.nonSync, prefix: Buffer.concat(this.parts) };
      }
      this.parts.push(body);
      const bytes = this.parts.length === 1 ? Buffer.from(this.parts[0]) : Buffer.concat(this.parts);
      this.resetCommand();
      return { type: 'command', bytes };
    }
  }

  private fail(reason: ReceiverErrorEvent['reason'], line: Buffer): ReceiverErrorEvent {
    this.failed = true;
    const prefix = this.parts.length > 0 ? Buffer.concat(this.parts) : line;
    this.chunks.length = 0;
    this.buffered = 0;
    return { type: 'error', reason, prefix: prefix.subarray(0, 1024) };
  }

  private peekAll(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
  }

  /** Move up to literalLeft bytes into the literal; true when the literal is complete. */
  private readLiteral(): boolean {
    while (this.literalLeft > 0 && this.chunks.length > 0) {
      const c = this.chunks[0];
      if (c.length <= this.literalLeft) {
        this.chunks.shift();
        if (!this.discarding) this.literalChunks.push(c);
        this.literalLeft -= c.length;
        this.buffered -= c.length;
      } else {
        if (!this.discarding) this.literalChunks.push(c.subarray(0, this.literalLeft));
        this.chunks[0] = c.subarray(this.literalLeft);
        this.buffered -= this.literalLeft;
        this.literalLeft = 0;
      }
    }
    if (this.literalLeft > 0) return false;
    this.parts.push(...this.literalChunks);
    this.literalChunks = [];
    this.literalLeft = -1;
    this.scanned = 0;
    return true;
  }

  /** Remove and return the bytes up to and including the next LF, or null if there is none yet. */
  private takeLine(): Buffer | null {
    let offset = 0;
    for (let i = 0; i < this.chunks.length; i++) {
      const c = this.chunks[i];
      const from = Math.max(0, this.scanned - offset);
      const lf = from < c.length ? c.indexOf(0x0a, from) : -1;
      if (lf >= 0) {
        const taken = this.chunks.splice(0, i);
        const tail = c.subarray(0, lf + 1);
        const rest = c.subarray(lf + 1);
        if (rest.length > 0) this.chunks[0] = rest;
        else this.chunks.shift();
        taken.push(tail);
        const line = taken.length === 1 ? taken[0] : Buffer.concat(taken);
        this.buffered -= line.length;
        this.scanned = 0;
        return line;
      }
      offset += c.length;
    }
    this.scanned = offset;
    return null;
  }
}

const CRLF = Buffer.from('\r\n');

/**
 * `{n}` / `{n+}` at the end of a line, unless it sits inside a quoted string (a quoted string cannot
 * span lines, so the line's own quote state decides).
 */
function endsWithLiteral(line: Buffer): { size: number; nonSync: boolean } | null {
  if (line.length < 3 || line[line.length - 1] !== 0x7d) return null;
  const m = LITERAL_TAIL.exec(line.subarray(Math.max(0, line.length - 14)).toString('latin1'));
  if (!m) return null;
  let inQuote = false;
  const open = line.length - m[0].length;
  for (let i = 0; i < open; i++) {
    const b = line[i];
    if (inQuote && b === 0x5c) i++;
    else if (b === 0x22) inQuote = !inQuote;
  }
  if (inQuote) return null;
  const size = Number(m[1]);
  if (size > 4294967295) return null;
  return { size, nonSync: m[2] === '+' };
}
