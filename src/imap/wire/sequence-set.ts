/**
 * IMAP sequence sets (RFC 3501 section 9, `sequence-set`; RFC 5182 `$`). The same syntax addresses
 * message sequence numbers and UIDs; which one is up to the command. `*` is kept symbolic (Infinity)
 * until a set is resolved against a mailbox view, because it means "the largest number in use" at the
 * moment the command runs (RFC 3501 section 6.4.8).
 */

/** One inclusive range as written by the client; `*` is `Infinity`. `start <= end` is NOT guaranteed
 * ("4:2" is legal and means 2:4), use normalizeRange. */
export interface SeqRange {
  start: number;
  end: number;
}

/** A parsed set. `saved` is the RFC 5182 `$` marker (the saved search result); `ranges` is then empty. */
export interface SequenceSet {
  readonly ranges: readonly SeqRange[];
  readonly saved?: boolean;
}

/** Syntax error in a sequence set (the decoder turns it into a DecodeError, hence BAD). */
export class SequenceSetError extends Error {
  override readonly name = 'SequenceSetError';
}

/** Largest seq-number / uniqueid: nz-number is a 32-bit unsigned value (RFC 3501 section 9). */
export const MAX_SEQ_NUMBER = 4294967295;

/**
 * Most ranges accepted in one set. Real clients send a few hundred at most (imapflow compacts UID
 * lists); the cap bounds the work a hostile client can ask for with one short-ish line.
 */
export const MAX_SEQUENCE_SET_RANGES = 100_000;

function parseSeqNumber(text: string): number {
  if (text === '*') return Infinity;
  if (!/^[1-9][0-9]*$/.test(text)) throw new SequenceSetError(`invalid sequence number "${text}"`);
  const n = Number(text);
  if (n > MAX_SEQ_NUMBER) throw new SequenceSetError(`sequence number out of range "${text}"`);
  return n;
}

/** Parse `1:3,5,7:*` or `$`. Throws SequenceSetError on bad syntax, zero, or out-of-range numbers. */
export function parseSequenceSet(text: string): SequenceSet {
  if (text === '$') return { ranges: [], saved: true };
  if (text.length === 0) throw new SequenceSetError('empty sequence set');
  const parts = text.split(',');
  if (parts.length > MAX_SEQUENCE_SET_RANGES) throw new SequenceSetError('too many ranges in sequence set');
  const ranges: SeqRange[] = [];
  for (const part of parts) {
    const colon = part.indexOf(':');
    if (colon < 0) {
      const n = parseSeqNumber(part);
      ranges.push({ start: n, end: n });
    } else {
      const start = parseSeqNumber(part.slice(0, colon));
      const end = parseSeqNumber(part.slice(colon + 1));
      ranges.push({ start, end });
    }
  }
  return { ranges };
}

/** The range with `start <= end` once `*` is replaced by `max` (the largest number in use). */
export function normalizeRange(range: SeqRange, max: number): SeqRange {
  const a = range.start === Infinity ? max : range.start;
  const b = range.end === Infinity ? max : range.end;
  return a <= b ? { start: a, end: b } : { start: b, end: a };
}

/** Whether `n` is in the set, `*` standing for `max`. Not meaningful for a `$` set. */
export function sequenceSetHas(set: SequenceSet, n: number, max: number): boolean {
  for (const r of set.ranges) {
    const { start, end } = normalizeRange(r, max);
    if (n >= start && n <= end) return true;
  }
  return false;
}

/**
 * The members of `set` that are in `sortedValues` (ascending, unique), ascending and de-duplicated.
 * `*` means the last value of `sortedValues` (or 0 when empty). Cost: O(ranges * log n + result).
 * This is how UID sets are resolved: UIDs that do not exist are silently ignored (RFC 3501 6.4.8).
 */
export function selectFromSorted(set: SequenceSet, sortedValues: ArrayLike<number>): number[] {
  const n = sortedValues.length;
  const max = n > 0 ? sortedValues[n - 1] : 0;
  const ranges = set.ranges.map((r) => normalizeRange(r, max)).sort((x, y) => x.start - y.start);
  const out: number[] = [];
  let last = -1;
  for (const { start, end } of ranges) {
    let i = lowerBound(sortedValues, Math.max(start, last + 1));
    for (; i < n && sortedValues[i] <= end; i++) {
      out.push(sortedValues[i]);
      last = sortedValues[i];
    }
  }
  return out;
}

/** Index of the first element >= value. */
export function lowerBound(sorted: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Compact form of a UID (or sequence number) list: [1,2,3,7] -> "1:3,7". Input order does not matter. */
export function formatUidSet(uids: readonly number[]): string {
  if (uids.length === 0) return '';
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const parts: string[] = [];
  let start = sorted[0];
  let prev = start;
  for (let i = 1; i <= sorted.length; i++) {
    const v = sorted[i];
    if (i < sorted.length && v === prev + 1) {
      prev = v;
      continue;
    }
    parts.push(start === prev ? String(start) : `${start}:${prev}`);
    start = v;
    prev = v;
  }
  return parts.join(',');
}

/**
 * UID list in the order given, compacted only where consecutive (RFC 4315 COPYUID pairs source and
 * destination sets by position, so order must survive): [5,6,7,2] -> "5:7,2".
 */
export function formatOrderedUidSet(uids: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < uids.length; ) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === uids[j] + 1) j++;
    parts.push(i === j ? String(uids[i]) : `${uids[i]}:${uids[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Render a parsed set back to its wire form (`*` for Infinity, `$` for a saved set). */
export function formatSequenceSet(set: SequenceSet): string {
  if (set.saved) return '$';
  const num = (n: number): string => (n === Infinity ? '*' : String(n));
  return set.ranges.map((r) => (r.start === r.end ? num(r.start) : `${num(r.start)}:${num(r.end)}`)).join(',');
}
