/**
 * Message bytes as fixed-size `bytea` chunks (table content_chunks). A reader holds one chunk at a time, so
 * streaming a 50 MB message costs one chunk of heap per reader, and a slow consumer (socket backpressure)
 * stops the reads: `_read` asks for the next row only when the stream wants more.
 */
import type pg from 'pg';
import { StoreError } from '../errors.ts';
import type { MessageBody } from '../types.ts';
import { chunkSpan, chunkedBody as sharedChunkedBody, splitChunks } from '../shared/chunked-body.ts';
import { rows, type Queryable } from './db.ts';

/**
 * Chunk size: 256 KiB bounds a streaming reader's memory while a 50 MB message is still only 200 rows.
 * Each chunk is TOASTed (compressed and stored out of line) by PostgreSQL, below its 1 GB field limit.
 * Part of the schema's format (a byte's chunk is offset / PG_CHUNK_SIZE): never change it for existing data.
 */
export const PG_CHUNK_SIZE = 256 * 1024;

/**
 * Bytes per INSERT when writing: several chunks per statement saves round trips, and 4 MiB keeps one
 * statement's bind message (and the server's memory for it) modest.
 */
export const PG_WRITE_BATCH_BYTES = 4 * 1024 * 1024;

/** Write the bytes of a content row (inside the caller's transaction). */
export async function writeChunks(db: Queryable, contentId: number, bytes: Buffer): Promise<void> {
  const chunks = splitChunks(bytes, PG_CHUNK_SIZE);
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
  const { first, last } = chunkSpan(start, end, PG_CHUNK_SIZE);
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
  const checkOpen = (): void => {
    if (!alive()) throw new StoreError('unavailable', 'store closed');
  };
  return sharedChunkedBody({
    size,
    chunkSize: PG_CHUNK_SIZE,
    // Unlike SQLite's, a read checks the store too: the pool's own error after end() is less clear.
    read: (start, end) => {
      checkOpen();
      return readChunks(pool, contentId, start, end);
    },
    checkOpen,
  });
}
