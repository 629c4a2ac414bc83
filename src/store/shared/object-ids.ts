/** RFC 8474 object identifiers (MAILBOXID, EMAILID, THREADID) as every store mints them. */
import { randomBytes } from 'node:crypto';

/**
 * A fresh RFC 8474 objectid (1*255 of ALPHA / DIGIT / "_" / "-"): `prefix` (one letter: 'F' mailbox,
 * 'M' message) then 96 random bits in hex, so an id is never reused, even across stores and restarts.
 */
export function newObjectId(prefix: string): string {
  return prefix + randomBytes(12).toString('hex');
}

/**
 * The THREADID of a message that starts its own thread: its EMAILID with the 'T' prefix, so the two are
 * visibly related in logs and a message alone in its thread needs no second random id.
 */
export function ownThreadId(emailId: string): string {
  return 'T' + emailId.slice(1);
}
