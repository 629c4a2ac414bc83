/** MessageBody over bytes held in memory. */
import { Readable } from 'node:stream';
import type { MessageBody } from '../types.ts';
import { STREAM_CHUNK_BYTES } from './limits.ts';

/** Clamp a [start, end) request to the message, the way Buffer.subarray does (out-of-range is empty). */
function clamp(size: number, start = 0, end = size): [number, number] {
  const s = Math.min(Math.max(0, Math.floor(start)), size);
  const e = Math.min(Math.max(s, Math.floor(end)), size);
  return [s, e];
}

/**
 * A MessageBody over an immutable Buffer. Readers get copies, never views of the stored bytes, so no
 * caller can corrupt the store; stream() copies one chunk at a time, so a big message costs one chunk of
 * extra heap per reader and the consumer's backpressure paces the copying.
 */
export function bufferBody(content: Buffer): MessageBody {
  return {
    size: content.length,
    read(start?: number, end?: number): Promise<Buffer> {
      const [s, e] = clamp(content.length, start, end);
      return Promise.resolve(Buffer.from(content.subarray(s, e)));
    },
    stream(start?: number, end?: number): Readable {
      const [s, e] = clamp(content.length, start, end);
      function* chunks(): Generator<Buffer> {
        for (let at = s; at < e; at += STREAM_CHUNK_BYTES) {
          yield Buffer.from(content.subarray(at, Math.min(e, at + STREAM_CHUNK_BYTES)));
        }
      }
      return Readable.from(chunks(), { objectMode: false });
    },
  };
}
