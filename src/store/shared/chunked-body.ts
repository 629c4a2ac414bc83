/**
 * Message bytes kept as fixed-size chunks (rows of `content_chunks` in the database stores), and the
 * MessageBody over them. Chunking is what makes streaming cheap: a reader holds one chunk at a time, so a
 * 50 MB message costs one chunk of heap per reader, and a slow consumer (socket backpressure) stops the
 * reads. How a store fetches a range of chunks is its own (SQLite slices rows in JavaScript, PostgreSQL
 * slices on the server); this module holds the arithmetic and the stream.
 *
 * Chunk sizes are not here: a store's chunk size is part of its on-disk format (offsets are seq * size),
 * so each store owns its constant (sqlite/contents.ts CHUNK_SIZE, postgres/contents.ts PG_CHUNK_SIZE).
 */
import { Readable } from 'node:stream';
import type { MessageBody } from '../types.ts';
import { clampRange } from './byte-range.ts';

/**
 * `bytes` cut into chunks of `chunkSize` (views, not copies), numbered by their index. An empty message
 * still gets one empty chunk, so that "no chunk" always means "deleted".
 */
export function splitChunks(bytes: Buffer, chunkSize: number): Buffer[] {
  if (bytes.length === 0) return [bytes];
  const out: Buffer[] = [];
  for (let off = 0; off < bytes.length; off += chunkSize) out.push(bytes.subarray(off, Math.min(off + chunkSize, bytes.length)));
  return out;
}

/** Index of the first and last chunk holding bytes [start, end), end > start. */
export function chunkSpan(start: number, end: number, chunkSize: number): { first: number; last: number } {
  return { first: Math.floor(start / chunkSize), last: Math.floor((end - 1) / chunkSize) };
}

/** Where a chunked body's bytes come from. */
export interface ChunkSource {
  /** Size of the body in octets. */
  readonly size: number;
  /** The store's chunk size (the stream reads at most one chunk per step). */
  readonly chunkSize: number;
  /** Bytes [start, end) (already clamped), synchronously or not; StoreError('notFound') once deleted. */
  read(start: number, end: number): Buffer | Promise<Buffer>;
  /** Throws (StoreError 'unavailable') when the store was closed: checked before every stream step. */
  checkOpen(): void;
}

/** A MessageBody over chunked bytes: read() in one call, stream() one chunk per step with backpressure. */
export function chunkedBody(source: ChunkSource): MessageBody {
  return {
    size: source.size,
    read: (start?: number, end?: number) => {
      const [s, e] = clampRange(source.size, start, end);
      try {
        return Promise.resolve(source.read(s, e));
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    },
    stream: (start?: number, end?: number) => {
      const [s, e] = clampRange(source.size, start, end);
      return new ChunkStream(source, s, e);
    },
  };
}

/**
 * Reads one chunk per `_read`, so memory per reader is one chunk plus the consumer's buffer, whatever the
 * message size, and a consumer that stops reading stops the reads.
 */
class ChunkStream extends Readable {
  readonly #source: ChunkSource;
  readonly #end: number;
  #pos: number;

  constructor(source: ChunkSource, start: number, end: number) {
    super({ highWaterMark: source.chunkSize });
    this.#source = source;
    this.#pos = start;
    this.#end = end;
  }

  override _read(): void {
    if (this.#pos >= this.#end) {
      this.push(null);
      return;
    }
    // Stop at the next chunk boundary so that each read touches exactly one chunk.
    const size = this.#source.chunkSize;
    const next = Math.min(this.#end, (Math.floor(this.#pos / size) + 1) * size);
    let got: Buffer | Promise<Buffer>;
    try {
      this.#source.checkOpen();
      got = this.#source.read(this.#pos, next);
    } catch (err) {
      this.destroy(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (Buffer.isBuffer(got)) {
      this.#pos = next;
      this.push(got);
      return;
    }
    got.then(
      (bytes) => {
        this.#pos = next;
        this.push(bytes);
      },
      (err: unknown) => this.destroy(err instanceof Error ? err : new Error(String(err))),
    );
  }
}
