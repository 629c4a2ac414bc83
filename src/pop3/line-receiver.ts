/**
 * Resumable line splitter for POP3 input. Bytes arrive in arbitrary chunks; `push` returns every complete
 * line so far. Any split of the same bytes yields the same events (property-tested). Lines end at LF; a CR
 * right before it is dropped (RFC 1939 requires CRLF, but bare LF from sloppy clients is tolerated, as
 * Dovecot does). A line longer than the limit produces one `tooLong` event and is skipped up to its LF,
 * without ever buffering more than the limit.
 */

/** One event from the receiver. */
export type ReceivedLine = { readonly kind: 'line'; readonly text: Buffer } | { readonly kind: 'tooLong' };

/** Splits a byte stream into lines with a length cap. */
export class LineReceiver {
  private parts: Buffer[] = [];
  private partLength = 0;
  private skipping = false;

  /** @param maxLineLength longest line content accepted, CR and LF excluded. */
  constructor(private readonly maxLineLength: number) {}

  /** Feed bytes; returns the events completed by them, in order. */
  push(chunk: Buffer): ReceivedLine[] {
    const events: ReceivedLine[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      const lf = chunk.indexOf(0x0a, pos);
      const end = lf === -1 ? chunk.length : lf;
      if (this.skipping) {
        if (lf === -1) return events;
        this.skipping = false;
        pos = lf + 1;
        continue;
      }
      const piece = chunk.subarray(pos, end);
      if (lf === -1) {
        // A partial line: keep it unless it already exceeds the cap (+1 for a CR that may precede the LF).
        if (this.partLength + piece.length > this.maxLineLength + 1) {
          this.reset();
          this.skipping = true;
          events.push({ kind: 'tooLong' });
        } else if (piece.length > 0) {
          this.parts.push(Buffer.from(piece));
          this.partLength += piece.length;
        }
        return events;
      }
      let line = this.partLength === 0 ? piece : Buffer.concat([...this.parts, piece]);
      this.reset();
      if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
      events.push(line.length > this.maxLineLength ? { kind: 'tooLong' } : { kind: 'line', text: Buffer.from(line) });
      pos = lf + 1;
    }
    return events;
  }

  /** Drop any partial line (STLS: plaintext sent before the handshake must not survive it, RFC 2595 section 4). */
  discard(): void {
    this.reset();
    this.skipping = false;
  }

  /** Bytes of an incomplete line currently held. */
  get buffered(): number {
    return this.partLength;
  }

  private reset(): void {
    this.parts = [];
    this.partLength = 0;
  }
}
