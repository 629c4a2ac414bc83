/**
 * The cross-node change feed (DESIGN.md section 3, "Change feed").
 *
 * Every mutation writes its change records to `changes` in its own transaction, numbered per mailbox by
 * `mailboxes.change_seq` (bumped under the mailbox row lock, so numbers follow commit order without
 * holes), and announces each with NOTIFY (payload "<mailbox id>:<seq>"), which PostgreSQL delivers at
 * commit. Each node keeps one dedicated LISTEN connection. For every mailbox some session of this node has
 * open, the node remembers the last record it delivered; a notification with a higher number makes it read
 * the missing records `seq > delivered` in order, so records arrive in order and never twice. After the
 * LISTEN connection is lost and re-established, every open mailbox is caught up the same way. Records are
 * pruned after a retention period: a node that finds a hole in the numbers (it was cut off for longer)
 * sends 'gone' to the mailbox's listeners, which then drop the mailbox (same rule as the SQLite store).
 *
 * All delivery for one account runs in the store's per-account queue (db.ts KeyedQueue), together with this
 * node's own mutations, which deliver their records right after COMMIT: one order per mailbox whatever the
 * interleaving of pg calls.
 */
import pg from 'pg';
import { ChangeHub } from '../change-hub.ts';
import type { MailboxChange } from '../types.ts';
import { rows, type KeyedQueue } from './db.ts';

/** Something that wants to hear that its feed has a hole (an open mailbox). */
export interface GapListener {
  onGap(): void;
}

/** Longest wait between two attempts to re-open the LISTEN connection. */
export const MAX_RECONNECT_DELAY_MS = 5_000;

/** First wait before re-opening a lost LISTEN connection (doubled up to MAX_RECONNECT_DELAY_MS). */
export const FIRST_RECONNECT_DELAY_MS = 100;

interface Track {
  readonly account: string;
  /** Number of the last record delivered to this node's listeners of the mailbox. */
  seq: number;
  /** Highest number announced by NOTIFY (catch-up is skipped when nothing newer was announced). */
  announced: number;
  readonly mailboxes: Set<GapListener>;
  catchUpQueued: boolean;
}

interface ChangeRow {
  head: number | null;
  seq: number | null;
  record: MailboxChange | null;
}

/** Options of PgFeed. */
export interface PgFeedOptions {
  readonly pool: pg.Pool;
  readonly listenConfig: pg.ClientConfig;
  readonly channel: string;
  /** The store's per-account queue: catch-ups run in it, between the account's mutations. */
  readonly queue: KeyedQueue;
  readonly onError: (error: unknown) => void;
}

/** This node's side of the change feed: hub, tracked mailboxes, LISTEN connection, catch-up. */
export class PgFeed {
  readonly hub: ChangeHub;
  readonly #pool: pg.Pool;
  readonly #listenConfig: pg.ClientConfig;
  readonly #channel: string;
  readonly #queue: KeyedQueue;
  readonly #onError: (error: unknown) => void;
  readonly #tracked = new Map<number, Track>();
  #client: pg.Client | null = null;
  #closed = false;
  #reconnectDelay = FIRST_RECONNECT_DELAY_MS;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #connects = 0;
  /** Opens in progress (between their snapshot and their track call). */
  #opening = 0;
  /**
   * Highest number announced for mailboxes nobody here follows yet, kept only while an open is in progress:
   * a record committed after an open's snapshot whose NOTIFY arrives before the open's track call would
   * otherwise be ignored, and delivered only with the mailbox's next record.
   */
  readonly #announcedWhileOpening = new Map<number, number>();

  constructor(options: PgFeedOptions) {
    this.#pool = options.pool;
    this.#listenConfig = options.listenConfig;
    this.#channel = options.channel;
    this.#queue = options.queue;
    this.#onError = options.onError;
    this.hub = new ChangeHub({ onListenerError: () => {} });
  }

  /** How many times the LISTEN connection was (re-)established: tests wait on it after killing one. */
  get connects(): number {
    return this.#connects;
  }

  /** Open the LISTEN connection. Rejects when the first attempt fails (the store cannot start). */
  async start(): Promise<void> {
    await this.#connect();
  }

  /** Stop listening and forget every tracked mailbox. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    const client = this.#client;
    this.#client = null;
    this.#tracked.clear();
    if (client) await client.end().catch(() => {});
  }

  /** An open is about to take its snapshot: remember announcements for unfollowed mailboxes until endOpen. */
  beginOpen(): void {
    this.#opening++;
  }

  /** The open that called beginOpen has called track (or failed). */
  endOpen(): void {
    this.#opening--;
    if (this.#opening <= 0) {
      this.#opening = 0;
      this.#announcedWhileOpening.clear();
    }
  }

  /**
   * Start delivering a mailbox's records to this node (inside the account's queue). `seq` is the mailbox's
   * change_seq in the snapshot just taken. When other sessions of this node already follow the mailbox,
   * the records between their position and the snapshot are delivered to them first, so the new listener
   * (registered by the caller right after) hears exactly what follows its snapshot.
   */
  async track(account: string, mailboxId: number, seq: number, mailbox: GapListener): Promise<void> {
    let t = this.#tracked.get(mailboxId);
    if (t && t.seq < seq) {
      await this.catchUp(mailboxId, seq);
      t = this.#tracked.get(mailboxId);
    }
    if (t && t.seq !== seq) {
      // Cannot happen (deliveries and snapshots of an account are serialized), but if it did, the current
      // followers' view would be wrong: drop them rather than leave them silently stale.
      this.#gap(mailboxId, t);
      t = undefined;
    }
    if (!t) {
      // Not followed yet (or its followers were just dropped by a gap): start at the snapshot.
      t = { account, seq, announced: seq, mailboxes: new Set(), catchUpQueued: false };
      this.#tracked.set(mailboxId, t);
    }
    t.mailboxes.add(mailbox);
    const announced = this.#announcedWhileOpening.get(mailboxId);
    if (announced !== undefined && announced > t.seq) {
      // Committed after the snapshot and announced before we followed: read it now (after this job).
      if (announced > t.announced) t.announced = announced;
      this.#schedule(mailboxId, t);
    }
  }

  /** A mailbox closed: stop following when it was the last of its mailbox on this node. */
  untrack(mailboxId: number, mailbox: GapListener): void {
    const t = this.#tracked.get(mailboxId);
    if (!t || !t.mailboxes.delete(mailbox)) return;
    if (t.mailboxes.size === 0) this.#tracked.delete(mailboxId);
  }

  /**
   * Deliver a record this node just committed (inside the account's queue, after COMMIT). Records of other
   * nodes numbered before it are read and delivered first. Never throws: a failure to read them is a gap.
   */
  async deliverOwn(mailboxId: number, seq: number, change: MailboxChange): Promise<void> {
    const t = this.#tracked.get(mailboxId);
    if (!t || seq <= t.seq) return;
    if (seq > t.seq + 1) await this.catchUp(mailboxId, seq - 1);
    const now = this.#tracked.get(mailboxId);
    if (now !== t || t.seq !== seq - 1) return; // dropped by a gap or a 'gone' meanwhile
    this.#deliver(mailboxId, t, seq, change);
  }

  /**
   * Read and deliver the records of a followed mailbox after its position, up to `upTo` (default: all
   * committed ones). Runs inside the account's queue. A hole in the numbers, or a failed read, makes the
   * mailbox's listeners hear 'gone'.
   */
  async catchUp(mailboxId: number, upTo: number = Number.MAX_SAFE_INTEGER): Promise<void> {
    const t = this.#tracked.get(mailboxId);
    if (!t) return;
    let found: ChangeRow[];
    try {
      // One statement, one snapshot: the head and the records agree.
      found = await rows<ChangeRow>(
        this.#pool,
        `SELECT b.change_seq AS head, c.seq, c.record
           FROM (SELECT $1::bigint AS id) k
           LEFT JOIN mailboxes b ON b.id = k.id
           LEFT JOIN changes c ON c.mailbox_id = k.id AND c.seq > $2 AND c.seq <= $3
          ORDER BY c.seq`,
        [mailboxId, t.seq, upTo],
      );
    } catch (err) {
      this.#onError(err);
      this.#gap(mailboxId, t);
      return;
    }
    if (this.#tracked.get(mailboxId) !== t) return;
    const head = found[0]?.head ?? null;
    for (const row of found) {
      if (row.seq === null || row.record === null) continue;
      if (row.seq <= t.seq) continue;
      if (row.seq !== t.seq + 1) {
        this.#gap(mailboxId, t);
        return;
      }
      this.#deliver(mailboxId, t, row.seq, row.record);
      if (this.#tracked.get(mailboxId) !== t) return; // 'gone' ends the following
    }
    // Records that should exist but were not found were pruned: the view can no longer be kept exact.
    const target = head === null ? null : Math.min(head, upTo);
    if (target === null || t.seq < target) this.#gap(mailboxId, t);
  }

  #deliver(mailboxId: number, t: Track, seq: number, change: MailboxChange): void {
    t.seq = seq;
    if (t.announced < seq) t.announced = seq;
    this.hub.publish(t.account, String(mailboxId), change);
    if (change.type === 'gone') {
      this.hub.clearMailbox(t.account, String(mailboxId));
      if (this.#tracked.get(mailboxId) === t) this.#tracked.delete(mailboxId);
    }
  }

  #gap(mailboxId: number, t: Track): void {
    if (this.#tracked.get(mailboxId) === t) this.#tracked.delete(mailboxId);
    this.hub.clearMailbox(t.account, String(mailboxId));
    for (const m of [...t.mailboxes]) m.onGap();
  }

  #schedule(mailboxId: number, t: Track): void {
    if (t.catchUpQueued) return;
    t.catchUpQueued = true;
    this.#queue
      .run(t.account, async () => {
        t.catchUpQueued = false;
        if (this.#closed || this.#tracked.get(mailboxId) !== t || t.announced <= t.seq) return;
        // The announcement is consumed here: one arriving during the read schedules another job.
        t.announced = t.seq;
        await this.catchUp(mailboxId);
      })
      .catch((err: unknown) => this.#onError(err));
  }

  #onNotification(payload: string | undefined): void {
    const m = /^(\d+):(\d+)$/.exec(payload ?? '');
    if (!m) return;
    const mailboxId = Number(m[1]);
    const seq = Number(m[2]);
    const t = this.#tracked.get(mailboxId);
    if (!t) {
      // Unfollowed mailboxes have no listener on this node, unless one is being opened right now.
      if (this.#opening > 0) this.#announcedWhileOpening.set(mailboxId, Math.max(seq, this.#announcedWhileOpening.get(mailboxId) ?? 0));
      return;
    }
    // Our own records are already delivered.
    if (seq <= t.seq) return;
    if (seq > t.announced) t.announced = seq;
    this.#schedule(mailboxId, t);
  }

  async #connect(): Promise<void> {
    const client = new pg.Client(this.#listenConfig);
    let lost = false;
    const onLost = (err?: unknown): void => {
      if (lost) return;
      lost = true;
      if (err !== undefined) this.#onError(err);
      if (this.#client === client) this.#client = null;
      client.end().catch(() => {});
      this.#reconnectLater();
    };
    client.on('notification', (n) => this.#onNotification(n.payload));
    try {
      await client.connect();
      client.on('error', (err) => onLost(err));
      client.on('end', () => onLost());
      await client.query(`LISTEN ${this.#channel}`);
    } catch (err) {
      lost = true;
      await client.end().catch(() => {});
      throw err;
    }
    if (this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
    this.#connects++;
    this.#reconnectDelay = FIRST_RECONNECT_DELAY_MS;
  }

  #reconnectLater(): void {
    if (this.#closed || this.#reconnectTimer) return;
    const delay = this.#reconnectDelay;
    this.#reconnectDelay = Math.min(MAX_RECONNECT_DELAY_MS, delay * 2);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      this.#connect().then(
        () => {
          // Notifications sent while we were away are lost: read every followed mailbox's log.
          for (const [mailboxId, t] of this.#tracked) {
            t.announced = Number.MAX_SAFE_INTEGER;
            this.#schedule(mailboxId, t);
          }
        },
        (err: unknown) => {
          this.#onError(err);
          this.#reconnectLater();
        },
      );
    }, delay);
    this.#reconnectTimer.unref();
  }
}
