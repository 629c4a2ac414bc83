/**
 * The update tracker (modelled on go-imap v2's tracker.go): store change records queue up here and
 * become untagged responses only when the dispatcher flushes, which it does at the end of each command
 * (RFC 3501 section 5.2: size updates during a command; 5.5 and 7.4.1: EXPUNGE never while FETCH, STORE
 * or SEARCH by sequence number runs, so `expunge: 'defer'` commands flush without expunges).
 *
 * The client's view (`uids`) changes only at flush time, so sequence numbers and `*` always mean what the
 * client was last told.
 */
import type { MailboxChange, Mailbox } from '../../store/types.ts';
import { lowerBound } from '../wire/sequence-set.ts';

/** One untagged response the session must send, in order. */
export type TrackerUpdate =
  | { readonly type: 'expunge'; readonly seq: number }
  | { readonly type: 'exists'; readonly count: number }
  | { readonly type: 'recent'; readonly count: number }
  /** The mailbox's keyword list grew: send FLAGS (and PERMANENTFLAGS). */
  | { readonly type: 'keywords'; readonly keywords: readonly string[] }
  /** Another session changed a message's flags (`recent` tells whether to add \Recent). */
  | { readonly type: 'fetch'; readonly seq: number; readonly uid: number; readonly flags: readonly string[]; readonly recent: boolean }
  /** The mailbox vanished (deleted, renamed away, UIDVALIDITY changed). */
  | { readonly type: 'gone' };

/** Claims \Recent for UIDs new to this session (see recent.ts). */
export type RecentClaim = (uids: readonly number[]) => readonly number[];

/** Per-selected-mailbox queue of changes and the client's view. */
export class MailboxTracker {
  /** The client's view: UIDs by sequence number - 1 (about 4 bytes per message in V8's packed arrays). */
  private readonly view: number[];
  private readonly recent = new Set<number>();
  private pendingAppend: number[] = [];
  private pendingExpunge = new Set<number>();
  private pendingFlags = new Map<number, readonly string[]>();
  private pendingKeywords: readonly string[] | null = null;
  private gone = false;
  /** The session's own opened Mailbox: its flag changes are reported by STORE itself. */
  own: Mailbox | null = null;
  /** Called after every queued change (IDLE listens). */
  onPending: (() => void) | null = null;

  constructor(
    uids: readonly number[],
    private readonly claim: RecentClaim,
  ) {
    this.view = [...uids];
    for (const uid of claim(this.view)) this.recent.add(uid);
  }

  /** Messages in the client's view. */
  get exists(): number {
    return this.view.length;
  }

  /** \Recent messages in the client's view. */
  get recentCount(): number {
    return this.recent.size;
  }

  /** UIDs of the client's view, ascending. Do not mutate. */
  get uids(): readonly number[] {
    return this.view;
  }

  /** Whether the mailbox is gone and the session must drop it. */
  get isGone(): boolean {
    return this.gone;
  }

  /** UID at 1-based sequence number, or 0 when out of range. */
  uidAt(seq: number): number {
    return seq >= 1 && seq <= this.view.length ? this.view[seq - 1] : 0;
  }

  /** Sequence number of a UID in the client's view, 0 when absent. */
  seqOf(uid: number): number {
    const i = lowerBound(this.view, uid);
    return i < this.view.length && this.view[i] === uid ? i + 1 : 0;
  }

  /** Whether a UID is \Recent for this session. */
  isRecent(uid: number): boolean {
    return this.recent.has(uid);
  }

  /** Queue a store change record (called from the store's onChange, possibly mid-command). */
  push(change: MailboxChange): void {
    switch (change.type) {
      case 'append':
        for (const uid of change.uids) {
          const last = this.pendingAppend.length > 0 ? this.pendingAppend[this.pendingAppend.length - 1] : this.view[this.view.length - 1] ?? 0;
          // UIDs grow strictly; anything at or below what we know is a duplicate record.
          if (uid > last) this.pendingAppend.push(uid);
        }
        break;
      case 'expunge':
        for (const uid of change.uids) {
          this.pendingFlags.delete(uid);
          const i = this.pendingAppend.indexOf(uid);
          if (i >= 0) this.pendingAppend.splice(i, 1);
          else if (this.seqOf(uid) > 0) this.pendingExpunge.add(uid);
        }
        break;
      case 'flags':
        if (change.origin !== undefined && change.origin === this.own) break;
        for (const u of change.updates) {
          if (this.pendingExpunge.has(u.uid)) continue;
          this.pendingFlags.set(u.uid, u.flags);
        }
        break;
      case 'keywords':
        this.pendingKeywords = change.keywords;
        break;
      case 'gone':
        this.gone = true;
        break;
    }
    this.onPending?.();
  }

  /** Whether anything is waiting to be reported. */
  get hasPending(): boolean {
    return (
      this.gone ||
      this.pendingAppend.length > 0 ||
      this.pendingExpunge.size > 0 ||
      this.pendingFlags.size > 0 ||
      this.pendingKeywords !== null
    );
  }

  /**
   * Turn the queue into responses and update the view. Without `allowExpunge` (RFC 3501 7.4.1) expunges
   * stay queued: the messages remain in the view, so sequence numbers keep their meaning for the client.
   */
  flush(allowExpunge: boolean): TrackerUpdate[] {
    const out: TrackerUpdate[] = [];
    if (this.gone) return [{ type: 'gone' }];
    if (allowExpunge && this.pendingExpunge.size > 0) {
      // One pass compacts the view; the responses go out in ascending order, each number already
      // adjusted for the EXPUNGEs before it (RFC 3501 7.4.1), as Dovecot writes them.
      const gone = this.pendingExpunge;
      let w = 0;
      let removed = 0;
      for (let r = 0; r < this.view.length; r++) {
        const uid = this.view[r];
        if (gone.has(uid)) {
          out.push({ type: 'expunge', seq: r + 1 - removed });
          removed++;
          this.recent.delete(uid);
          this.pendingFlags.delete(uid);
        } else {
          this.view[w++] = uid;
        }
      }
      this.view.length = w;
      this.pendingExpunge.clear();
    }
    if (this.pendingKeywords !== null) {
      out.push({ type: 'keywords', keywords: this.pendingKeywords });
      this.pendingKeywords = null;
    }
    if (this.pendingAppend.length > 0) {
      const added = this.pendingAppend;
      this.pendingAppend = [];
      for (const uid of added) this.view.push(uid);
      const fresh = this.claim(added);
      for (const uid of fresh) this.recent.add(uid);
      out.push({ type: 'exists', count: this.view.length });
      out.push({ type: 'recent', count: this.recent.size });
    }
    if (this.pendingFlags.size > 0) {
      const entries = [...this.pendingFlags].sort((a, b) => a[0] - b[0]);
      this.pendingFlags.clear();
      for (const [uid, flags] of entries) {
        const seq = this.seqOf(uid);
        if (seq > 0) out.push({ type: 'fetch', seq, uid, flags, recent: this.recent.has(uid) });
      }
    }
    return out;
  }
}
