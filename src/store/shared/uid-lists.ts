/** UID lists as the stores take them from callers and hand them to queries. */

/**
 * The distinct UIDs of a request, ascending. Values that cannot be a UID (zero, negative, fractional,
 * NaN) are dropped: they name no message, and a database would refuse them as parameters.
 */
export function sortedUniqueUids(uids: readonly number[]): number[] {
  return [...new Set(uids)].filter((u) => Number.isInteger(u) && u > 0).sort((a, b) => a - b);
}

/** `items` cut into consecutive pages of at most `size` items (the last may be shorter; none is empty). */
export function pages<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
