/**
 * Message bytes stored as fixed-size chunks in the database (docs/storage.md explains the choice against
 * files beside the database, with figures from bench/storage.ts).
 *
 * Chunking is what makes streaming cheap: better-sqlite3 has no incremental blob I/O, and a `substr()` on a
 * blob makes SQLite load the whole value, so a single 50 MB blob would cost 50 MB per reader. With chunks, a
 * reader holds one chunk at a time.
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import { StoreError } from '../errors.ts';
import type { MessageBody } from '../types.ts';
import { chunkSpan, chunkedBody, splitChunks } from '../shared/chunked-body.ts';

/**
 * Chunk size: 256 KiB keeps a streaming reader's memory small while a 50 MB message still needs only 200
 * rows (per-row overhead is measured negligible at this size, see docs/storage.md). Part of the file
 * format (a byte's chunk is offset / CHUNK_SIZE): never change it for existing databases.
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
    splitChunks(bytes, CHUNK_SIZE).forEach((chunk, seq) => this.#insertChunk.run(contentId, seq, chunk));
  }

  /** Remove the bytes of a content row (inside the caller's transaction). */
  delete(contentId: number): void {
    this.#deleteChunks.run(contentId);
  }

  /** Bytes [start, end) of a content of `size` octets; throws StoreError('notFound') if it vanished. */
  read(contentId: number, size: number, start: number, end: number): Buffer {
    if (end <= start) return Buffer.alloc(0);
    const { first, last } = chunkSpan(start, end, CHUNK_SIZE);
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
    return chunkedBody({
      size,
      chunkSize: CHUNK_SIZE,
      read: (start, end) => this.read(contentId, size, start, end),
      checkOpen: () => {
        if (!this.db.open) throw new StoreError('unavailable', 'store closed');
      },
    });
  }
}
