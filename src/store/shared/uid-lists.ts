/** UID lists as the stores take them from callers and hand them to queries. */
import { StoreError } from '../errors.ts';
import { MAX_UID } from './limits.ts';

/**
 * The distinct UIDs of a request, ascending. Values that cannot be a UID (zero, negative, fractional,
 * NaN) are dropped: they name no message, and a database would refuse them as parameters.
 */
export function sortedUniqueUids(uids: readonly number[]): number[] {
  // Callers usually pass a page already ascending (FETCH 1:*): check in one pass instead of sorting.
  let ascending = true;
  for (let i = 0; i < uids.length && ascending; i++) {
    const u = uids[i];
    ascending = Number.isInteger(u) && u > 0 && (i === 0 || u > uids[i - 1]);
  }
  if (ascending) return uids.slice();
  return [...new Set(uids)].filter((u) => Number.isInteger(u) && u > 0).sort((a, b) => a - b);
}

/**
 * The distinct UIDs of a Mailbox.remove request, ascending; StoreError 'notFound' when a value cannot be
 * a UID (zero, negative, fractional, NaN, above 2^32-1: RFC 3501 section 2.3.1.1 makes UIDs 32-bit
 * nz-numbers). Such a value names no message, and remove is all or nothing with 'notFound' for a message
 * that does not exist (store/types.ts): dropping it silently would report a deletion that never happened.
 */
export function uidsToRemove(uids: readonly number[]): number[] {
  const bad = [...new Set(uids)].filter((u) => !isUid(u));
  if (bad.length > 0) throw new StoreError('notFound', `no message with UID ${bad.map(String).join(',')}`);
  return sortedUniqueUids(uids);
}

function isUid(value: number): boolean {
  return Number.isInteger(value) && value > 0 && value <= MAX_UID;
}

/** `items` cut into consecutive pages of at most `size` items (the last may be shorter; none is empty). */
export function pages<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * A page of ascending distinct UIDs dense enough to read as one primary-key range scan (`uid BETWEEN first
 * AND last`) rather than one lookup per UID: FETCH 1:* pages are contiguous, or nearly so after expunges.
 * `exact` is false when the range holds UIDs the page did not ask for, which the caller must filter out.
 * Null for an empty or sparse page (the range would visit more than twice the rows asked for).
 */
export function denseSpan(page: readonly number[]): { first: number; last: number; exact: boolean } | null {
  if (page.length === 0) return null;
  const first = page[0];
  const last = page[page.length - 1];
  const width = last - first + 1;
  if (width > 2 * page.length) return null;
  return { first, last, exact: width === page.length };
}
