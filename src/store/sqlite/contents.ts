/**
 * Message bytes stored as fixed-size chunks in the database (docs/storage.md explains the choice against
 * files beside the database, with figures from bench/storage.ts).
 *
 * Chunking is what makes streaming cheap: better-sqlite3 has no incremental blob I/O, and a `substr()` on a
 * blob makes SQLite load the whole value, so a single 50 MB blob would cost 50 MB per reader. With chunks, a
 * reader holds one chunk at a time.
 */
import { Readable } from 'node:stream';
import type { Database as Db, Statement } from 'better-sqlite3';
import { StoreError } from '../errors.ts';
import type { MessageBody } from '../types.ts';

/**
 * Chunk size: 256 KiB keeps a streaming reader's memory small while a 50 MB message still needs only 200
 * rows (per-row overhead is measured negligible at this size, see docs/storage.md).
 */
export const CHUNK_SIZE = 256 * 1024;

interface ChunkRow {
  seq: number;
  data: Buffer;
}

/** Prepared statements for the chunk table. */
export class ContentStore {
  readonly #insertChunk: Statement<[number, number, Buffer]>;
  readonly #readChunks: Statement<[number, number, number], ChunkRow>;
  readonly #deleteChunks: Statement<[number]>;

  constructor(readonly db: Db) {
    this.#insertChunk = db.prepare('INSERT INTO content_chunks (content_id, seq, data) VALUES (?, ?, ?)');
    this.#readChunks = db.prepare(
      'SELECT seq, data FROM content_chunks WHERE content_id = ? AND seq BETWEEN ? AND ? ORDER BY seq',
    );
    this.#deleteChunks = db.prepare('DELETE FROM content_chunks WHERE content_id = ?');
  }

  /** Write the bytes of a content row (inside the caller's transaction). */
  write(contentId: number, bytes: Buffer): void {
    // An empty message still gets one (empty) chunk so that "no chunk" always means "deleted".
    if (bytes.length === 0) {
      this.#insertChunk.run(contentId, 0, bytes);
      return;
    }
    for (let seq = 0, off = 0; off < bytes.length; seq++, off += CHUNK_SIZE) {
      this.#insertChunk.run(contentId, seq, bytes.subarray(off, Math.min(off + CHUNK_SIZE, bytes.length)));
    }
  }

  /** Remove the bytes of a content row (inside the caller's transaction). */
  delete(contentId: number): void {
    this.#deleteChunks.run(contentId);
  }

  /** Bytes [start, end) of a content of `size` octets; throws StoreError('notFound') if it vanished. */
  read(contentId: number, size: number, start: number, end: number): Buffer {
    if (end <= start) return Buffer.alloc(0);
    const first = Math.floor(start / CHUNK_SIZE);
    const last = Math.floor((end - 1) / CHUNK_SIZE);
    const rows = this.#readChunks.all(contentId, first, last);
    if (rows.length !== last - first + 1) throw new StoreError('notFound', 'message no longer exists');
    const parts = rows.map((row) => {
      const base = row.seq * CHUNK_SIZE;
      return row.data.subarray(Math.max(0, start - base), Math.min(row.data.length, end - base));
    });
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, end - start);
  }

  /** A MessageBody over one content row. */
  body(contentId: number, size: number): MessageBody {
    const clamp = (start = 0, end = size): [number, number] => {
      const s = Math.min(Math.max(0, start), size);
      return [s, Math.min(Math.max(s, end), size)];
    };
    return {
      size,
      read: (start?: number, end?: number) => {
        const [s, e] = clamp(start, end);
        try {
          return Promise.resolve(this.read(contentId, size, s, e));
        } catch (err) {
          return Promise.reject(err instanceof Error ? err : new Error(String(err)));
        }
      },
      stream: (start?: number, end?: number) => {
        const [s, e] = clamp(start, end);
        return new ChunkStream(this, contentId, size, s, e);
      },
    };
  }
}

/**
 * Reads one chunk per `_read`, so memory per reader is one chunk plus the consumer's buffer, whatever the
 * message size, and a slow consumer (socket backpressure) stops the reads.
 */
class ChunkStream extends Readable {
  #pos: number;

  constructor(
    private readonly store: ContentStore,
    private readonly contentId: number,
    private readonly size: number,
    start: number,
    private readonly end: number,
  ) {
    super({ highWaterMark: CHUNK_SIZE });
    this.#pos = start;
  }

  override _read(): void {
    if (this.#pos >= this.end) {
      this.push(null);
      return;
    }
    // Stop at the next chunk boundary so that each read touches exactly one row.
    const next = Math.min(this.end, (Math.floor(this.#pos / CHUNK_SIZE) + 1) * CHUNK_SIZE);
    let bytes: Buffer;
    try {
      if (!this.store.db.open) throw new StoreError('unavailable', 'store closed');
      bytes = this.store.read(this.contentId, this.size, this.#pos, next);
    } catch (err) {
      this.destroy(err as Error);
      return;
    }
    this.#pos = next;
    this.push(bytes);
  }
}
