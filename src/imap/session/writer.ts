/**
 * The one output path of a connection: writes in order, waits for `drain` when the socket pushes back
 * (DESIGN.md section 4), and mirrors traffic to the debug stream.
 */
import type { Duplex, Readable, Writable } from 'node:stream';

/** Largest piece of one write mirrored to the debug stream; message bodies are elided beyond it. */
export const DEBUG_MIRROR_LIMIT = 4096;

/** Backpressure-aware writer over a (replaceable, for STARTTLS/COMPRESS) stream. */
export class OutputWriter {
  private closed = false;

  constructor(
    private stream: Duplex,
    private readonly debug?: Writable,
    private connectionId = '',
  ) {}

  /** Prefix debug lines with the connection id (several sessions share one debug stream). */
  label(connectionId: string): void {
    this.connectionId = connectionId;
  }

  /** Switch to the upgraded stream. */
  setStream(stream: Duplex): void {
    this.stream = stream;
  }

  /** Mark the connection gone: later writes are dropped. */
  close(): void {
    this.closed = true;
  }

  /** Whether writes still reach the client. */
  get writable(): boolean {
    return !this.closed && !this.stream.destroyed && this.stream.writable;
  }

  /**
   * Write bytes now (synchronously handed to the stream, so the order of calls is the order on the wire)
   * and resolve when the stream can take more.
   */
  write(bytes: Buffer): Promise<void> {
    if (!this.writable) return Promise.resolve();
    this.mirror('S', bytes);
    if (this.stream.write(bytes)) return Promise.resolve();
    return this.waitDrain();
  }

  private waitDrain(): Promise<void> {
    const stream = this.stream;
    return new Promise((resolve) => {
      const done = (): void => {
        stream.off('drain', done);
        stream.off('close', done);
        stream.off('error', done);
        resolve();
      };
      stream.on('drain', done);
      stream.on('close', done);
      stream.on('error', done);
    });
  }

  /** Copy a readable (a message body) with backpressure. */
  async pipe(source: Readable): Promise<void> {
    let total = 0;
    for await (const chunk of source) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      total += buf.length;
      if (!this.writable) {
        source.destroy();
        return;
      }
      if (!this.stream.write(buf)) await this.waitDrain();
    }
    this.mirrorText('S', `<${total} bytes streamed>\r\n`);
  }

  /** Mirror client input (already redacted by the caller). */
  mirrorClient(text: string): void {
    this.mirrorText('C', text);
  }

  private mirror(dir: 'S' | 'C', bytes: Buffer): void {
    if (!this.debug) return;
    const text =
      bytes.length > DEBUG_MIRROR_LIMIT
        ? bytes.toString('latin1', 0, DEBUG_MIRROR_LIMIT) + `<... ${bytes.length - DEBUG_MIRROR_LIMIT} more bytes>\r\n`
        : bytes.toString('latin1');
    this.mirrorText(dir, text);
  }

  private mirrorText(dir: 'S' | 'C', text: string): void {
    if (!this.debug) return;
    const prefix = this.connectionId ? `${this.connectionId} ${dir}: ` : `${dir}: `;
    const lines = text.split('\r\n');
    if (lines[lines.length - 1] === '') lines.pop();
    this.debug.write(lines.map((l) => prefix + l + '\n').join(''));
  }
}
