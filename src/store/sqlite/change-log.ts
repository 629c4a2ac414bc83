/**
 * Cross-process change notification. Every mutation writes its change records to the `changes` table in the
 * same transaction (so a record exists exactly when its mutation committed). Each process polls: the cheap
 * `PRAGMA data_version` tells whether ANOTHER connection committed since the last look (a connection's own
 * commits do not change it), and only then are the new rows read. Rows carry the writer's instance id, so a
 * process skips its own records (it already published them synchronously). AUTOINCREMENT ids grow in commit
 * order (SQLite has one writer at a time), so reading `id > lastSeen` emits records in order, never twice.
 */
import { randomBytes } from 'node:crypto';
import type { Database as Db, Statement } from 'better-sqlite3';
import type { MailboxChange } from '../types.ts';

/** A change record addressed to one mailbox of one account. */
export interface AddressedChange {
  readonly account: string;
  readonly mailboxId: number;
  readonly change: MailboxChange;
}

/** What a look at the log found. */
export interface RemoteChanges {
  readonly changes: AddressedChange[];
  /** Rows this process never saw were pruned: open mailboxes cannot be trusted any more. */
  readonly gap: boolean;
}

interface ChangeRow {
  id: number;
  account: string;
  mailbox_id: number;
  instance: string;
  record: string;
}

/** Reads and writes the `changes` table for one backend instance. */
export class ChangeLog {
  /** Random id of this backend instance: rows it wrote are skipped by its own poller. */
  readonly instance = randomBytes(9).toString('base64url');
  #lastSeen: number;
  #dataVersion: number;
  readonly #insert: Statement<[string, number, string, number, string]>;
  readonly #since: Statement<[number], ChangeRow>;
  readonly #maxId: Statement<[], { id: number | null }>;
  readonly #prunedThrough: Statement<[], { value: number }>;
  readonly #pruneSelect: Statement<[number], { id: number | null }>;
  readonly #pruneDelete: Statement<[number]>;
  readonly #setPruned: Statement<[number]>;

  constructor(private readonly db: Db) {
    this.#insert = db.prepare('INSERT INTO changes (account, mailbox_id, instance, created_at, record) VALUES (?, ?, ?, ?, ?)');
    this.#since = db.prepare('SELECT id, account, mailbox_id, instance, record FROM changes WHERE id > ? ORDER BY id');
    this.#maxId = db.prepare('SELECT max(id) AS id FROM changes');
    this.#prunedThrough = db.prepare(`SELECT value FROM meta WHERE key = 'changes_pruned_through'`);
    this.#pruneSelect = db.prepare('SELECT max(id) AS id FROM changes WHERE created_at < ?');
    this.#pruneDelete = db.prepare('DELETE FROM changes WHERE id <= ?');
    this.#setPruned = db.prepare(`UPDATE meta SET value = max(value, ?) WHERE key = 'changes_pruned_through'`);
    // Start at the current end of the log: records committed before this process opened the database are
    // already reflected in any snapshot it will take.
    this.#dataVersion = this.#readDataVersion();
    // Pruning may have emptied the table: the pruned watermark is part of "the end of the log" too.
    this.#lastSeen = Math.max(this.#maxId.get()?.id ?? 0, this.#prunedThrough.get()!.value);
  }

  /** Append a record (inside the mutation's transaction). `origin` is process-local and is not stored. */
  write(account: string, mailboxId: number, change: MailboxChange): void {
    const { origin: _origin, ...stored } = change as MailboxChange & { origin?: unknown };
    this.#insert.run(account, mailboxId, this.instance, Date.now(), JSON.stringify(stored));
  }

  /** True when another connection committed since the last call (one pragma, no table read). */
  othersCommitted(): boolean {
    const v = this.#readDataVersion();
    if (v === this.#dataVersion) return false;
    this.#dataVersion = v;
    return true;
  }

  /**
   * Records written by other instances since the last read, in commit order. Call inside a transaction when
   * the result must be consistent with other reads of the same transaction (a snapshot, a write).
   */
  readRemote(): RemoteChanges {
    const prunedThrough = this.#prunedThrough.get()!.value;
    const gap = prunedThrough > this.#lastSeen;
    // Reading resumes after the pruned records, so that one gap is reported once: left behind, the watermark
    // would report it again at every read until a newer record came, turning every mailbox opened meanwhile gone.
    if (gap) this.#lastSeen = prunedThrough;
    const rows = this.#since.all(this.#lastSeen);
    const changes: AddressedChange[] = [];
    for (const row of rows) {
      this.#lastSeen = row.id;
      if (row.instance === this.instance) continue;
      changes.push({ account: row.account, mailboxId: row.mailbox_id, change: JSON.parse(row.record) as MailboxChange });
    }
    return { changes, gap };
  }

  /**
   * Delete records older than `retentionMs` (one short write transaction). Pollers read new rows within a
   * poll interval, so only a process stalled for longer than the retention can miss one, and it learns so
   * through `gap`.
   */
  prune(retentionMs: number): void {
    const through = this.#pruneSelect.get(Date.now() - retentionMs)?.id ?? null;
    if (through === null) return;
    this.db
      .transaction(() => {
        this.#pruneDelete.run(through);
        this.#setPruned.run(through);
      })
      .immediate();
  }

  #readDataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }
}
