/**
 * The COMPRESS=DEFLATE connection layer (RFC 4978): raw deflate (RFC 1951, no zlib header) from
 * node:zlib in both directions over the existing stream (plain or TLS; compression sits under TLS's
 * plaintext side, section 3's ordering).
 *
 * Output is flushed with Z_SYNC_FLUSH at the end of every event-loop turn in which something was written:
 * every response the session writes in one go is compressed together, and nothing is ever left in the
 * compressor waiting for more: a client blocked on a response would otherwise wait forever (the brief's
rule; RFC 4978 section 4 discusses flushes as an efficiency matter only).
 * Backpressure: a write's callback runs only once zlib has consumed it, and zlib stops consuming while
 * the socket is not draining (deflate.pipe(socket)).
 */
import { Duplex } from 'node:stream';
import zlib from 'node:zlib';
import type { ConnectionUpgrader } from './config.ts';

/**
 * Deflate level 6 (zlib's default): RFC 4978 section 3 leaves the speed/ratio trade-off to the sender;
 * IMAP responses compress to 25-40% even at zlib's cheapest setting (section 4).
 */
export const DEFLATE_LEVEL = 6;
/**
 * Window bits 15 (32 KiB, zlib's largest; RFC 4978 section 4 allows 8..15 for raw deflate). Inflating
 * with 15 accepts whatever window the client chose.
 */
export const DEFLATE_WINDOW_BITS = 15;
/** Memory level 8 (zlib's default, about 128 KiB of compressor state per connection). */
export const DEFLATE_MEM_LEVEL = 8;

/** A Duplex that inflates what `inner` reads and deflates what is written to `inner`. */
export class DeflateStream extends Duplex {
  private readonly inflate = zlib.createInflateRaw({ windowBits: DEFLATE_WINDOW_BITS });
  private readonly deflate = zlib.createDeflateRaw({
    level: DEFLATE_LEVEL,
    windowBits: DEFLATE_WINDOW_BITS,
    memLevel: DEFLATE_MEM_LEVEL,
  });
  private flushScheduled = false;

  constructor(private readonly inner: Duplex) {
    super();
    inner.pipe(this.inflate);
    this.deflate.pipe(inner);
    this.inflate.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) this.inflate.pause();
    });
    this.inflate.on('end', () => this.push(null));
    // Corrupt compressed input: the connection cannot continue.
    this.inflate.on('error', (err) => this.destroy(err));
    this.deflate.on('error', (err) => this.destroy(err));
    inner.on('error', (err) => this.destroy(err));
    inner.on('close', () => this.destroy());
  }

  override _read(): void {
    this.inflate.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.deflate.write(chunk, (err) => callback(err ?? null));
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (!this.deflate.destroyed && !this.deflate.writableEnded) this.deflate.flush(zlib.constants.Z_SYNC_FLUSH);
    });
  }

  override _final(callback: (error?: Error | null) => void): void {
    // Z_FINISH ends the deflate stream; the pipe then ends the inner stream.
    this.deflate.end(() => callback());
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.inflate.destroy();
    this.deflate.destroy();
    this.inner.destroy();
    callback(err);
  }
}

/** The `compress` upgrader registered by the COMPRESS=DEFLATE extension. */
export const deflateUpgrader: ConnectionUpgrader = {
  upgrade(stream) {
    return new DeflateStream(stream);
  },
};
