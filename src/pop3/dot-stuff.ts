/**
 * Multi-line response body encoding (RFC 1939 section 3): every line ends in CRLF, a line starting with "."
 * gets one more ".", and the response ends with ".CRLF". The encoder is incremental so a message streams
 * through it chunk by chunk (a 50 MB RETR never sits in memory), and it can stop after the header plus n
 * body lines for TOP (RFC 1939 section 7: "the headers of the message, the blank line separating the
 * headers from the body, and then the number of lines of the indicated message's body").
 *
 * Line-ending normalization: every LF not preceded by CR becomes CRLF; a bare CR is data. A message not
 * ending in a line break gets a CRLF before the terminator. `normalizedSize` counts octets the same way.
 */

const CRLF = Buffer.from('\r\n');
const LF = Buffer.from('\n');
const DOT = Buffer.from('.');
const TERMINATOR = Buffer.from('.\r\n');

/** Options for one encoded message. */
export interface DotStufferOptions {
  /** TOP: send the header, the blank line and at most this many body lines. Omit for the whole message. */
  readonly bodyLines?: number;
}

/** Incremental dot-stuffing encoder for one message. */
export class DotStuffer {
  private atLineStart = true;
  /** Octets of the current line emitted so far (before its LF). */
  private lineLength = 0;
  private lastWasCr = false;
  private inHeader: boolean;
  private bodyLinesSent = 0;
  private finished = false;
  private readonly limit: number | undefined;

  constructor(options: DotStufferOptions = {}) {
    this.limit = options.bodyLines;
    this.inHeader = this.limit !== undefined;
    if (this.limit !== undefined && (!Number.isInteger(this.limit) || this.limit < 0)) {
      throw new RangeError('bodyLines must be a non-negative integer');
    }
  }

  /** True once a TOP limit is reached: the caller stops reading the source. */
  get done(): boolean {
    return this.finished;
  }

  /** Encode the next chunk of the message; returns the bytes to send (possibly empty). */
  push(chunk: Buffer): Buffer {
    const out: Buffer[] = [];
    let pos = 0;
    while (pos < chunk.length && !this.finished) {
      if (this.atLineStart) {
        if (chunk[pos] === 0x2e) out.push(DOT);
        this.atLineStart = false;
      }
      const lf = chunk.indexOf(0x0a, pos);
      if (lf === -1) {
        out.push(chunk.subarray(pos));
        this.lineLength += chunk.length - pos;
        this.lastWasCr = chunk[chunk.length - 1] === 0x0d;
        break;
      }
      const crBefore = lf > pos ? chunk[lf - 1] === 0x0d : this.lastWasCr;
      out.push(chunk.subarray(pos, lf), crBefore ? LF : CRLF);
      const contentLength = this.lineLength + (lf - pos) - (crBefore ? 1 : 0);
      this.endLine(contentLength === 0);
      pos = lf + 1;
    }
    return out.length === 1 ? out[0] : Buffer.concat(out);
  }

  /** Bytes that close the response: a CRLF if the message did not end in one, then ".CRLF". */
  end(): Buffer {
    if (this.atLineStart || this.finished) return TERMINATOR;
    return Buffer.concat([this.lastWasCr ? LF : CRLF, TERMINATOR]);
  }

  private endLine(empty: boolean): void {
    this.atLineStart = true;
    this.lineLength = 0;
    this.lastWasCr = false;
    if (this.limit === undefined) return;
    if (this.inHeader) {
      if (empty) {
        this.inHeader = false;
        if (this.limit === 0) this.finished = true;
      }
    } else if (++this.bodyLinesSent >= this.limit) {
      this.finished = true;
    }
  }
}

/** Encode a whole message at once (tests, small in-memory handlers). */
export function dotStuff(message: Buffer, options: DotStufferOptions = {}): Buffer {
  const encoder = new DotStuffer(options);
  return Buffer.concat([encoder.push(message), encoder.end()]);
}

/**
 * Size in octets of `message` after LF -> CRLF normalization, the size RFC 1939 section 11 asks LIST and STAT
 * to report (dot-stuffing and the terminator excluded).
 */
export function normalizedSize(message: Buffer): number {
  let bareLf = 0;
  for (let i = message.indexOf(0x0a); i !== -1; i = message.indexOf(0x0a, i + 1)) {
    if (i === 0 || message[i - 1] !== 0x0d) bareLf++;
  }
  return message.length + bareLf;
}

/**
 * Decode a dot-stuffed multi-line body (without the status line): undo the stuffing and stop at the
 * terminator. Returns null when the terminator is missing. The inverse of `dotStuff` for CRLF messages.
 */
export function dotUnstuff(encoded: Buffer): Buffer | null {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < encoded.length) {
    const crlf = encoded.indexOf(CRLF, pos);
    if (crlf === -1) return null;
    const line = encoded.subarray(pos, crlf);
    if (line.length === 1 && line[0] === 0x2e) return Buffer.concat(out);
    out.push(line[0] === 0x2e ? line.subarray(1) : line, CRLF);
    pos = crlf + 2;
  }
  return null;
}
