/** Caps of the memory store, each with its reason. The caps every store shares are in shared/limits.ts. */

export { MAX_KEYWORDS_PER_MAILBOX, MAX_KEYWORD_LENGTH, MAX_UID } from '../shared/limits.ts';

/**
 * Messages one mailbox may hold. The memory store keeps everything on the heap and SEARCH walks every
 * message, so a bound keeps one account from starving the process. Past it, appends fail ('overQuota').
 */
export const MAX_MESSAGES_PER_MAILBOX = 1_000_000;

/** Chunk size of MessageBody.stream(): small enough to bound heap per reader, big enough for throughput. */
export const STREAM_CHUNK_BYTES = 64 * 1024;
