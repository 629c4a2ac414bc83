/** Reading a stored parse-once record (message/meta-codec) in the database stores. */
import { CorruptMetaError, decodeMeta } from '../../message/index.ts';
import type { MessageMeta } from '../../message/types.ts';

/**
 * A stored parse-once record, or null when this code cannot read it (written by another META_VERSION, or
 * damaged): the caller then rebuilds it from the stored bytes, which are the truth. Other errors propagate.
 */
export function decodeStoredMeta(stored: Buffer): MessageMeta | null {
  try {
    return decodeMeta(stored);
  } catch (err) {
    if (err instanceof CorruptMetaError) return null;
    throw err;
  }
}
