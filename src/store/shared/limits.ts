/** Caps every store enforces the same way (the contract's limits, not a store's implementation limits). */
import { StoreError } from '../errors.ts';

/** Largest UID: RFC 3501 section 2.3.1.1 makes UIDs 32-bit nz-numbers. Past it, appends fail ('overQuota'). */
export const MAX_UID = 0xffff_ffff;

/**
 * Keywords a mailbox may define. Every session gets the whole list in FLAGS and PERMANENTFLAGS, and
 * clients render it in their UI: thousands of keywords are abuse, not use (Dovecot's index format caps
 * keywords too). Past the cap, a store that would add a keyword fails with StoreError 'invalid'.
 */
export const MAX_KEYWORDS_PER_MAILBOX = 256;

/** Longest keyword accepted, in characters: keywords are atoms sent in every FLAGS response. */
export const MAX_KEYWORD_LENGTH = 128;

/**
 * Default largest message for the database stores: 64 MiB, above common MTA limits (Postfix's default is
 * 10 MB) so that the MTA is the one that refuses, yet bounded because a message is parsed in memory once at
 * append.
 */
export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;

/**
 * Check that `count` new messages fit in the UID space of a mailbox whose next UID is `uidNext`;
 * StoreError 'overQuota' otherwise (UIDs are never reused, so the mailbox is full for good).
 */
export function checkUidSpace(uidNext: number, count: number): void {
  if (uidNext + count - 1 > MAX_UID) throw new StoreError('overQuota', 'mailbox has run out of UIDs');
}
