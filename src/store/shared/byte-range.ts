/** The byte ranges of MessageBody.read/stream (store/types.ts). */

/**
 * Clamp a [start, end) request to a body of `size` octets: a missing start is 0, a missing end is `size`,
 * out-of-range parts are cut (a negative offset is 0: unlike Buffer.subarray, it does not count from the
 * end), and an end before the start gives an empty range (start = end). Values are not rounded: every
 * store slices with Buffer.subarray or chunk arithmetic, which truncate.
 */
export function clampRange(size: number, start = 0, end = size): [number, number] {
  const s = Math.min(Math.max(0, start), size);
  return [s, Math.min(Math.max(s, end), size)];
}
