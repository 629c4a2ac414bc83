/** Caps of the memory store, each with its reason. */

/**
 * Keywords a mailbox may define. Every session gets the whole list in FLAGS and PERMANENTFLAGS, and
 * clients render it in their UI: thousands of keywords are abuse, not use (Dovecot's index format caps
 * keywords too). Past the cap, a store that would add a keyword fails with StoreError 'invalid'.
 */
export const MAX_KEYWORDS_PER_MAILBOX = 256;

/** Largest UID: RFC 3501 section 2.3.1.1 makes UIDs 32-bit nz-numbers. Past it, appends fail ('overQuota'). */
export const MAX_UID = 0xffff_ffff;

/**
 * Messages one mailbox may hold. The memory store keeps everything on the heap and SEARCH walks every
 * message, so a bound keeps one account from starving the process. Past it, appends fail ('overQuota').
 */
export const MAX_MESSAGES_PER_MAILBOX = 1_000_000;

/** Longest keyword accepted, in characters: keywords are atoms sent in every FLAGS response. */
export const MAX_KEYWORD_LENGTH = 128;

/** Chunk size of MessageBody.stream(): small enough to bound heap per reader, big enough for throughput. */
export const STREAM_CHUNK_BYTES = 64 * 1024;
