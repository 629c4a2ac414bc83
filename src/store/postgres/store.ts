/**
 * The PostgreSQL store's shared state: the pool, the change feed, the per-account queue, and the one write
 * path (`write`) every mutation goes through: one transaction per command that locks the mailbox rows it
 * changes (SELECT ... FOR UPDATE), writes its change records inside, and delivers them after COMMIT.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { PoolClient } from 'pg';
import { encodeMeta, parseMessage } from '../../message/index.ts';
import type { MessageMeta } from '../../message/types.ts';
import { StoreError } from '../errors.ts';
import type { MailboxChange, MailboxInfo, SpecialUse } from '../types.ts';
import { addedKeywords, keywordsOf } from '../shared/flags.ts';
import { newObjectId } from '../shared/object-ids.ts';
import { joinSpecialUse, splitSpecialUse } from '../shared/special-use.ts';
import type { SqlMailboxRow, SqlMessageRow } from '../shared/sql-rows.ts';
import { readChunks } from './contents.ts';
import { one, rows, transaction, type KeyedQueue } from './db.ts';
import type { PgFeed } from './feed.ts';

/** A row of `mailboxes`, with the sequence number of its last change record (feed.ts). */
export interface PgMailboxRow extends SqlMailboxRow {
  readonly change_seq: number;
}

/** A row of `messages` joined with its content's ids; flags are a text[] column. */
export type PgMessageRow = SqlMessageRow<string[]>;

/** A write transaction: its connection, and `emit` to record a change of a mailbox locked by it. */
export interface WriteTx {
  readonly client: PoolClient;
  /** Record a change (numbered, logged and NOTIFYed inside the transaction; delivered after COMMIT). */
  emit(mailboxId: number, change: MailboxChange): Promise<void>;
}

interface OwnRecord {
  readonly mailboxId: number;
  readonly seq: number;
  readonly change: MailboxChange;
}

/** Everything one backend instance shares between its users and mailboxes. */
export class PgStore {
  /** Random id of this backend instance, stored with its change records (diagnostics). */
  readonly instance = randomBytes(9).toString('base64url');
  #closed = false;

  constructor(
    readonly pool: pg.Pool,
    readonly feed: PgFeed,
    readonly channel: string,
    /** Per-account queue shared with the feed (db.ts KeyedQueue explains why). */
    readonly queue: KeyedQueue,
  ) {}

  /** False once close() started. */
  get open(): boolean {
    return !this.#closed;
  }

  /** Mark closed: later calls fail with 'unavailable'. */
  markClosed(): void {
    this.#closed = true;
  }

  /** StoreError('unavailable') once closed. */
  check(): void {
    if (this.#closed) throw new StoreError('unavailable', 'store closed');
  }

  /**
   * Run one command's mutation for `account`: queued behind the account's earlier mutations and feed
   * deliveries on this node, in one transaction; the records it emits are delivered to this node's
   * listeners after COMMIT and before the returned promise resolves (store/types.ts).
   */
  write<T>(account: string, fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    this.check();
    return this.queue.run(account, async () => {
      this.check();
      const own: OwnRecord[] = [];
      const result = await transaction(this.pool, async (client) => {
        own.length = 0;
        const tx: WriteTx = {
          client,
          emit: async (mailboxId, change) => {
            const { origin: _origin, ...stored } = change as MailboxChange & { origin?: unknown };
            const row = await one<{ seq: number }>(
              client,
              `WITH s AS (UPDATE mailboxes SET change_seq = change_seq + 1 WHERE id = $1 RETURNING change_seq),
                    i AS (INSERT INTO changes (mailbox_id, seq, account, instance, record)
                          SELECT $1, change_seq, $2, $3, $4::jsonb FROM s RETURNING seq)
               SELECT seq, pg_notify($5, $1::text || ':' || seq::text) AS n FROM i`,
              [mailboxId, account, this.instance, JSON.stringify(stored), this.channel],
            );
            if (!row) throw new Error(`change for mailbox ${mailboxId} that is not there`);
            own.push({ mailboxId, seq: row.seq, change });
          },
        };
        return fn(tx);
      });
      for (const r of own) await this.feed.deliverOwn(r.mailboxId, r.seq, r.change);
      return result;
    });
  }

  /** A fresh UIDVALIDITY from the schema-wide counter (inside a write transaction). */
  async nextUidValidity(client: PoolClient): Promise<number> {
    // Seconds since the epoch as Dovecot does, but strictly increasing and kept in the database, so that no
    // restart or second node can hand out the same value twice (RFC 3501 section 2.3.1.1).
    const row = await one<{ value: number }>(
      client,
      `UPDATE meta SET value = greatest(value + 1, $1) WHERE key = 'next_uid_validity' RETURNING value`,
      [Math.floor(Date.now() / 1000)],
    );
    return row!.value;
  }

  /** Create a mailbox row (inside a write transaction). */
  async insertMailbox(client: PoolClient, accountId: number, name: string, specialUse: readonly SpecialUse[]): Promise<PgMailboxRow> {
    const uidValidity = await this.nextUidValidity(client);
    const row = await one<PgMailboxRow>(
      client,
      `INSERT INTO mailboxes (account_id, name, object_id, special_use, uid_validity) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [accountId, name, newObjectId('F'), joinSpecialUse(specialUse), uidValidity],
    );
    return row!;
  }

  /** The LIST view of a mailbox row. */
  info(row: Pick<PgMailboxRow, 'name' | 'object_id' | 'special_use'>, subscribed: boolean): MailboxInfo {
    return { name: row.name, id: row.object_id, specialUse: splitSpecialUse(row.special_use), subscribed };
  }

  /**
   * Add the keywords of these flag lists to the mailbox's list (inside a write transaction holding the
   * mailbox lock); returns the new full list when it grew (the caller emits a 'keywords' record), null
   * otherwise. 'invalid' past the cap.
   */
  async growKeywords(client: PoolClient, mailboxId: number, flagLists: Iterable<readonly string[]>): Promise<string[] | null> {
    const lists = [...flagLists];
    // Most messages carry system flags only: no keyword, no query.
    if (!lists.some((flags) => keywordsOf(flags).length > 0)) return null;
    const current = await this.keywords(client, mailboxId);
    const added = addedKeywords(current, lists);
    if (added.length === 0) return null;
    await rows(client, 'INSERT INTO mailbox_keywords (mailbox_id, keyword) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING', [
      mailboxId,
      added,
    ]);
    return [...current, ...added];
  }

  /** The keywords defined in a mailbox, sorted (as the SQLite store lists them). */
  async keywords(db: PoolClient | pg.Pool, mailboxId: number): Promise<string[]> {
    return (await rows<{ keyword: string }>(db, 'SELECT keyword FROM mailbox_keywords WHERE mailbox_id = $1 ORDER BY keyword COLLATE "C"', [mailboxId])).map(
      (r) => r.keyword,
    );
  }

  /**
   * Rebuild a parse-once record this code cannot read (written by another META_VERSION, or damaged; see
   * shared/stored-meta.ts) from the stored bytes, which are the truth, and write it back so the next read is
   * cheap again: a META_VERSION bump migrates records lazily instead of failing FETCH.
   */
  async rebuildMeta(contentId: number, size: number): Promise<MessageMeta> {
    const meta = parseMessage(await readChunks(this.pool, contentId, 0, size));
    try {
      await rows(this.pool, 'UPDATE contents SET meta = $1 WHERE id = $2', [encodeMeta(meta), contentId]);
    } catch {
      // Best effort: the next read parses again.
    }
    return meta;
  }

  /** Delete contents (and their chunks) no message refers to any more (inside a write transaction). */
  async collectContents(client: PoolClient, contentIds: Iterable<number>): Promise<void> {
    const ids = [...new Set(contentIds)];
    if (ids.length === 0) return;
    await rows(
      client,
      `WITH unused AS (
         SELECT c.id FROM contents c
          WHERE c.id = ANY($1::bigint[]) AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.content_id = c.id)
       ), chunks AS (
         DELETE FROM content_chunks WHERE content_id IN (SELECT id FROM unused)
       )
       SELECT 1`,
      [ids],
    );
    await rows(
      client,
      `DELETE FROM contents c WHERE c.id = ANY($1::bigint[]) AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.content_id = c.id)`,
      [ids],
    );
  }

  /**
   * Delete a locked mailbox with its messages (inside a write transaction); emits 'gone' first (the record
   * is numbered by the row). Its subscriptions stay (RFC 3501 section 6.3.9).
   */
  async dropMailbox(tx: WriteTx, row: PgMailboxRow): Promise<void> {
    await tx.emit(row.id, { type: 'gone' });
    const contentIds = (
      await rows<{ content_id: number }>(tx.client, 'DELETE FROM messages WHERE mailbox_id = $1 RETURNING content_id', [row.id])
    ).map((r) => r.content_id);
    await rows(tx.client, 'DELETE FROM expunged WHERE mailbox_id = $1', [row.id]);
    await rows(tx.client, 'DELETE FROM mailbox_keywords WHERE mailbox_id = $1', [row.id]);
    await rows(tx.client, 'DELETE FROM mailboxes WHERE id = $1', [row.id]);
    await this.collectContents(tx.client, contentIds);
  }

  /** Lock and read a mailbox by name (inside a write transaction). */
  async lockByName(client: PoolClient, accountId: number, name: string): Promise<PgMailboxRow | undefined> {
    return one<PgMailboxRow>(client, 'SELECT * FROM mailboxes WHERE account_id = $1 AND name = $2 FOR UPDATE', [accountId, name]);
  }

  /**
   * Lock and read mailboxes by id, in ascending id order: every multi-mailbox command locks in that one
   * order, so two nodes never wait on each other in a cycle.
   */
  async lockByIds(client: PoolClient, ids: readonly number[]): Promise<Map<number, PgMailboxRow>> {
    const found = await rows<PgMailboxRow>(client, 'SELECT * FROM mailboxes WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE', [
      [...new Set(ids)],
    ]);
    return new Map(found.map((r) => [r.id, r]));
  }

  /** Run a read-only transaction with one snapshot for all its statements. */
  snapshot<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    return transaction(this.pool, fn, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }
}
