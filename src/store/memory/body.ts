/** MessageBody over bytes held in memory. */
import type { MessageBody } from '../types.ts';
import { chunkedBody } from '../shared/chunked-body.ts';
import { STREAM_CHUNK_BYTES } from './limits.ts';

/**
 * A MessageBody over an immutable Buffer. Readers get copies, never views of the stored bytes, so no
 * caller can corrupt the store; stream() copies one chunk at a time (shared/chunked-body.ts), so a big
 * message costs one chunk of extra heap per reader and the consumer's backpressure paces the copying.
 * Nothing to check for closing: the bytes live as long as a reader holds them.
 */
export function bufferBody(content: Buffer): MessageBody {
  return chunkedBody({
    size: content.length,
    chunkSize: STREAM_CHUNK_BYTES,
    read: (start, end) => Buffer.from(content.subarray(start, end)),
    checkOpen: () => {},
  });
}
