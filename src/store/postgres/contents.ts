/**
 * Message bytes as fixed-size `bytea` chunks (table content_chunks). A reader holds one chunk at a time, so
 * streaming a 50 MB message costs one chunk of heap per reader, and a slow consumer (socket backpressure)
 * stops the reads: `_read` asks for the next row only when the stream wants more.
 */
import { Readable } from 'node:stream';
import type pg from 'pg';
import { StoreError } from '../errors.ts';
import type { MessageBody } from '../types.ts';
import { rows, type Queryable } from './db.ts';

/**
 * Chunk size: 256 KiB bounds a streaming reader's memory while a 50 MB message is still only 200 rows.
 * Each chunk is TOASTed (compressed and stored out of line) by PostgreSQL, below its 1 GB field limit.
 */
export const PG_CHUNK_SIZE = 256 * 1024;

/**
 * Bytes per INSERT when writing: several chunks per statement saves round trips, and 4 MiB keeps one
 * statement's bind message (and the server's memory for it) modest.
 */
export const PG_WRITE_BATCH_BYTES = 4 * 1024 * 1024;

/** Write the bytes of a content row (inside the caller's transaction). */
export async function writeChunks(db: Queryable, contentId: number, bytes: Buffer): Promise<void> {
  // An empty message still gets one (empty) chunk so that "no chunk" always means "deleted".
  const chunks: Buffer[] = [];
  if (bytes.length === 0) chunks.push(bytes);
  for (let off = 0; off < bytes.length; off += PG_CHUNK_SIZE) chunks.push(bytes.subarray(off, Math.min(off + PG_CHUNK_SIZE, bytes.length)));
  const perBatch = Math.max(1, Math.floor(PG_WRITE_BATCH_BYTES / PG_CHUNK_SIZE));
  for (let first = 0; first < chunks.length; first += perBatch) {
    const batch = chunks.slice(first, first + perBatch);
    const values: string[] = [];
    const params: unknown[] = [contentId];
    batch.forEach((data, i) => {
      params.push(first + i, data);
      values.push(`($1, $${params.length - 1}, $${params.length})`);
    });
    await rows(db, `INSERT INTO content_chunks (content_id, seq, data) VALUES ${values.join(', ')}`, params);
  }
}

/** Bytes [start, end) of a content; StoreError('notFound') when it vanished (expunged meanwhile). */
export async function readChunks(db: Queryable, contentId: number, start: number, end: number): Promise<Buffer> {
  if (end <= start) return Buffer.alloc(0);
  const first = Math.floor(start / PG_CHUNK_SIZE);
  const last = Math.floor((end - 1) / PG_CHUNK_SIZE);
  // The server cuts the first and last chunk (substring is 1-based), so a small slice such as a header
  // transfers only its own bytes; PostgreSQL decompresses only the prefix a slice needs.
  const head = start - first * PG_CHUNK_SIZE;
  const tail = end - last * PG_CHUNK_SIZE;
  const found = await rows<{ seq: number; data: Buffer }>(
    db,
    `SELECT seq, substring(data FROM (CASE WHEN seq = $2 THEN $4::int ELSE 0 END) + 1
                           FOR (CASE WHEN seq = $3 THEN $5::int ELSE $6::int END) - (CASE WHEN seq = $2 THEN $4::int ELSE 0 END)) AS data
       FROM content_chunks WHERE content_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq`,
    [contentId, first, last, head, tail, PG_CHUNK_SIZE],
  );
  if (found.length !== last - first + 1) throw new StoreError('notFound', 'message no longer exists');
  const parts = found.map((row) => row.data);
  const out = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  if (out.length !== end - start) throw new StoreError('notFound', 'message no longer exists');
  return out;
}

/** A MessageBody over one content row; `alive` says whether the store is still open. */
export function chunkedBody(pool: pg.Pool, contentId: number, size: number, alive: () => boolean): MessageBody {
  const clamp = (start = 0, end = size): [number, number] => {
    const s = Math.min(Math.max(0, start), size);
    return [s, Math.min(Math.max(s, end), size)];
  };
  return {
    size,
    read: (start?: number, end?: number) => {
      const [s, e] = clamp(start, end);
      if (!alive()) return Promise.reject(new StoreError('unavailable', 'store closed'));
      return readChunks(pool, contentId, s, e);
    },
    stream: (start?: number, end?: number) => {
      const [s, e] = clamp(start, end);
      return new ChunkStream(pool, contentId, s, e, alive);
    },
  };
}

/** Reads one chunk per `_read`: memory per reader is one chunk plus the consumer's buffer. */
class ChunkStream extends Readable {
  #pos: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly contentId: number,
    start: number,
    private readonly end: number,
    private readonly alive: () => boolean,
  ) {
    super({ highWaterMark: PG_CHUNK_SIZE });
    this.#pos = start;
  }

  override _read(): void {
    if (this.#pos >= this.end) {
      this.push(null);
      return;
    }
    if (!this.alive()) {
      this.destroy(new StoreError('unavailable', 'store closed'));
      return;
    }
    // Stop at the next chunk boundary so that each read touches exactly one row.
    const next = Math.min(this.end, (Math.floor(this.#pos / PG_CHUNK_SIZE) + 1) * PG_CHUNK_SIZE);
    readChunks(this.pool, this.contentId, this.#pos, next).then(
      (bytes) => {
        this.#pos = next;
        this.push(bytes);
      },
      (err: unknown) => this.destroy(err instanceof Error ? err : new Error(String(err))),
    );
  }
}
