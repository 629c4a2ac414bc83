/**
 * The selected-mailbox view a session exposes to commands (SelectedView): the opened store Mailbox, the
 * tracker holding the client's sequence numbers, and the RFC 5182 saved search result.
 */
import type { SelectedView } from '../commands/types.ts';
import type { Mailbox } from '../../store/types.ts';
import { ImapError } from '../protocol/errors.ts';
import { CODES } from '../protocol/response-codes.ts';
import { normalizeRange, selectFromSorted, type SequenceSet } from '../wire/sequence-set.ts';
import type { MailboxTracker } from './tracker.ts';

/** SelectedView over a tracker. */
export class SelectedMailbox implements SelectedView {
  savedSearch: readonly number[] = [];

  constructor(
    readonly mailbox: Mailbox,
    readonly readOnly: boolean,
    readonly tracker: MailboxTracker,
  ) {}

  get exists(): number {
    return this.tracker.exists;
  }

  uidAt(seq: number): number {
    const uid = this.tracker.uidAt(seq);
    if (uid === 0) throw new ImapError('BAD', 'Invalid sequence number', { name: CODES.CLIENTBUG });
    return uid;
  }

  seqOf(uid: number): number {
    return this.tracker.seqOf(uid);
  }

  resolve(set: SequenceSet, byUid: boolean): number[] {
    const uids = this.tracker.uids;
    if (set.saved) {
      // `$` holds UIDs; keep those still in the view (RFC 5182 section 2.1).
      const keep = new Set(this.savedSearch);
      return uids.filter((u) => keep.has(u));
    }
    if (byUid) return selectFromSorted(set, uids);
    const max = uids.length;
    const ranges: { start: number; end: number }[] = [];
    for (const range of set.ranges) {
      // A sequence number above the view is a client error (RFC 3501 section 9 "seq-number": a number
      // that does not exist is invalid; Dovecot answers BAD). `*` on an empty mailbox selects nothing.
      if ((range.start !== Infinity && range.start > max) || (range.end !== Infinity && range.end > max)) {
        throw new ImapError('BAD', 'Invalid message sequence number', { name: CODES.CLIENTBUG });
      }
      if (max > 0) ranges.push(normalizeRange(range, max));
    }
    // Sorted, merged ranges slice the ascending UID view directly: O(ranges log ranges + result).
    ranges.sort((a, b) => a.start - b.start);
    const out: number[] = [];
    let next = 1;
    for (const { start, end } of ranges) {
      const from = Math.max(start, next);
      for (let seq = from; seq <= end; seq++) out.push(uids[seq - 1]);
      next = Math.max(next, end + 1);
    }
    return out;
  }

  isRecent(uid: number): boolean {
    return this.tracker.isRecent(uid);
  }
}
