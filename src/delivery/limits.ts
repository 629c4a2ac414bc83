/** Delivery and import limits, each with the reason for its value. */

/**
 * Largest message `deliver()` and the LMTP listener accept, after line endings are normalized (octets).
 * 50 MiB: larger than what common providers accept (Gmail 25 MB, Microsoft 35-150 MB) yet small enough that one
 * delivery held in memory cannot exhaust a small daemon; Postfix's default message_size_limit is 10 MB.
 */
export const DEFAULT_MAX_MESSAGE_SIZE = 50 * 1024 * 1024;

/**
 * Import appends messages in batches (one store transaction per batch instead of one per message); this caps a
 * batch by count so a failing batch costs a bounded retry, one message at a time.
 */
export const IMPORT_BATCH_MESSAGES = 200;

/** A batch is also cut when its bytes reach this size, so a batch of large messages stays bounded in memory. */
export const IMPORT_BATCH_BYTES = 16 * 1024 * 1024;

/** Existing messages are read in pages of this many UIDs when the import builds its duplicate index. */
export const IMPORT_INDEX_PAGE = 1000;

/**
 * Longest header prefix read to find the Message-ID of an existing message that has no parsed metadata. The
 * header of real mail is far below this; a Message-ID past it is treated as absent (the byte hash is used).
 */
export const MAX_HEADER_SCAN_BYTES = 256 * 1024;

/** Read size when streaming an mbox: big enough for disk throughput, small enough that a 1 GB file is never held. */
export const MBOX_READ_CHUNK = 1024 * 1024;
