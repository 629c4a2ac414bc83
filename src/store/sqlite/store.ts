/**
 * The SQLite store's shared state: the connection, its prepared statements, the change hub and the change
 * log, and the one write path (`write`) every mutation goes through: one IMMEDIATE transaction per command,
 * change records written inside it, published after the commit.
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import { encodeMeta, parseMessage } from '../../message/index.ts';
import type { MessageMeta } from '../../message/types.ts';
import { ChangeHub } from '../change-hub.ts';
import { StoreError } from '../errors.ts';
import type { MailboxChange, MailboxInfo, SpecialUse } from '../types.ts';
import { ChangeLog, type AddressedChange } from './change-log.ts';
import { ContentStore } from './contents.ts';
import { ThreadIndex } from './threads.ts';
import { addedKeywords } from '../shared/flags.ts';
import { newObjectId } from '../shared/object-ids.ts';
import { joinSpecialUse, splitSpecialUse } from '../shared/special-use.ts';
import { decodeStoredMeta } from '../shared/stored-meta.ts';
import { MESSAGE_COLUMNS, type SqlMailboxRow, type SqlMessageRow } from '../shared/sql-rows.ts';

/** A row of `mailboxes`. */
export type MailboxRow = SqlMailboxRow;

/** A row of `messages` joined with its content's ids; flags are JSON text (SQLite has no arrays). */
export type MessageRow = SqlMessageRow<string>;

/** The column order messageRowFromArray reads: MESSAGE_COLUMNS, then the optional meta. */
const RAW_MESSAGE_COLUMNS = ['uid', 'content_id', 'flags', 'seen', 'deleted', 'modseq', 'internal_date', 'save_date', 'size', 'email_id', 'thread_id'];

/**
 * A statement over MESSAGE_COLUMNS (and optionally c.meta) switched to raw rows; throws at prepare time if
 * the columns are not the ones messageRowFromArray reads, so a change to MESSAGE_COLUMNS fails loudly.
 */
function rawMessageRows<P extends unknown[]>(stmt: Statement<P, unknown[]>): Statement<P, unknown[]> {
  const names = stmt.columns().map((c) => c.name);
  const expected = names.length === RAW_MESSAGE_COLUMNS.length + 1 ? [...RAW_MESSAGE_COLUMNS, 'meta'] : RAW_MESSAGE_COLUMNS;
  if (names.join(',') !== expected.join(',')) throw new Error(`unexpected message columns: ${names.join(',')}`);
  return stmt.raw(true);
}

/** A message row from a raw row of rawMessageRows. */
export function messageRowFromArray(a: unknown[]): MessageRow & { meta?: Buffer } {
  return {
    uid: a[0] as number,
    content_id: a[1] as number,
    flags: a[2] as string,
    seen: a[3] as number,
    deleted: a[4] as number,
    modseq: a[5] as number,
    internal_date: a[6] as number,
    save_date: a[7] as number,
    size: a[8] as number,
    email_id: a[9] as string,
    thread_id: a[10] as string,
    meta: a[11] as Buffer | undefined,
  };
}

/** A row of `accounts`. */
export interface AccountRow {
  id: number;
  username: string;
  password_hash: string;
}

/** Something that wants to hear about a gap in the cross-process feed (an open mailbox). */
export interface GapListener {
  onGap(): void;
}

/** Everything one backend instance shares between its users and mailboxes. */
export class SqliteStore {
  readonly hub = new ChangeHub();
  readonly log: ChangeLog;
  readonly contents: ContentStore;
  readonly threads: ThreadIndex;
  readonly openMailboxes = new Set<GapListener>();
  readonly s;

  constructor(readonly db: Db) {
    this.log = new ChangeLog(db);
    this.contents = new ContentStore(db);
    this.threads = new ThreadIndex(db);
    const p = <P extends unknown[], R = unknown>(sql: string): Statement<P, R> => db.prepare<P, R>(sql);
    this.s = {
      accountByName: p<[string], AccountRow>('SELECT id, username, password_hash FROM accounts WHERE username = ?'),
      insertAccount: p<[string, string, number]>('INSERT INTO accounts (username, password_hash, created_at) VALUES (?, ?, ?)'),
      setHash: p<[string, string]>('UPDATE accounts SET password_hash = ? WHERE username = ?'),
      deleteAccount: p<[number]>('DELETE FROM accounts WHERE id = ?'),
      listAccounts: p<[], { username: string }>('SELECT username FROM accounts ORDER BY username'),
      nextUidValidity: p<[number], { value: number }>(
        `UPDATE meta SET value = max(value + 1, ?) WHERE key = 'next_uid_validity' RETURNING value`,
      ),
      mailboxByName: p<[number, string], MailboxRow>('SELECT * FROM mailboxes WHERE account_id = ? AND name = ?'),
      mailboxById: p<[number], MailboxRow>('SELECT * FROM mailboxes WHERE id = ?'),
      mailboxesOf: p<[number], MailboxRow>('SELECT * FROM mailboxes WHERE account_id = ?'),
      listMailboxes: p<[number], { name: string; object_id: string; special_use: string; subscribed: number }>(
        `SELECT b.name, b.object_id, b.special_use,
                EXISTS (SELECT 1 FROM subscriptions s WHERE s.account_id = b.account_id AND s.name = b.name) AS subscribed
           FROM mailboxes b WHERE b.account_id = ?`,
      ),
      insertMailbox: p<[number, string, string, string, number]>(
        'INSERT INTO mailboxes (account_id, name, object_id, special_use, uid_validity) VALUES (?, ?, ?, ?, ?)',
      ),
      setCounters: p<[number, number, number, number, number, number, number]>(
        `UPDATE mailboxes SET uid_next = ?, highest_modseq = ?, messages = ?, unseen = ?, deleted = ?, size = ?
          WHERE id = ?`,
      ),
      renameMailbox: p<[string, number]>('UPDATE mailboxes SET name = ? WHERE id = ?'),
      deleteMailbox: p<[number]>('DELETE FROM mailboxes WHERE id = ?'),
      updateCounters: p<[number, number, number, number, number, number, number]>(
        `UPDATE mailboxes SET uid_next = ?, highest_modseq = ?, messages = messages + ?, unseen = unseen + ?,
                deleted = deleted + ?, size = size + ? WHERE id = ?`,
      ),
      isSubscribed: p<[number, string], { one: number }>('SELECT 1 AS one FROM subscriptions WHERE account_id = ? AND name = ?'),
      subscribe: p<[number, string]>('INSERT OR IGNORE INTO subscriptions (account_id, name) VALUES (?, ?)'),
      unsubscribe: p<[number, string]>('DELETE FROM subscriptions WHERE account_id = ? AND name = ?'),
      subscriptionsOf: p<[number], { name: string }>('SELECT name FROM subscriptions WHERE account_id = ? ORDER BY name'),
      deleteSubscriptions: p<[number]>('DELETE FROM subscriptions WHERE account_id = ?'),
      keywords: p<[number], { keyword: string }>('SELECT keyword FROM mailbox_keywords WHERE mailbox_id = ? ORDER BY keyword'),
      insertKeyword: p<[number, string]>('INSERT OR IGNORE INTO mailbox_keywords (mailbox_id, keyword) VALUES (?, ?)'),
      deleteKeywords: p<[number]>('DELETE FROM mailbox_keywords WHERE mailbox_id = ?'),
      insertContent: p<[number, string, string, Buffer]>('INSERT INTO contents (size, email_id, thread_id, meta) VALUES (?, ?, ?, ?)'),
      contentUsed: p<[number], { one: number }>('SELECT 1 AS one FROM messages WHERE content_id = ? LIMIT 1'),
      deleteContent: p<[number]>('DELETE FROM contents WHERE id = ?'),
      setMeta: p<[Buffer, number]>('UPDATE contents SET meta = ? WHERE id = ?'),
      insertMessage: p<[number, number, number, string, number, number, number, number, number, number]>(
        `INSERT INTO messages (mailbox_id, uid, content_id, flags, seen, deleted, modseq, internal_date, save_date, size)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      uids: p<[number], { uid: number }>('SELECT uid FROM messages WHERE mailbox_id = ? ORDER BY uid'),
      firstUnseen: p<[number], { uid: number }>(
        'SELECT uid FROM messages INDEXED BY messages_unseen WHERE mailbox_id = ? AND seen = 0 ORDER BY uid LIMIT 1',
      ),
      // json_each turns one bound JSON array into a set of UIDs: one prepared statement for any page size,
      // each UID an index lookup on the primary key.
      messagesByUids: p<[number, string], MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN contents c ON c.id = m.content_id
          WHERE m.mailbox_id = ? AND m.uid IN (SELECT value FROM json_each(?)) ORDER BY m.uid`,
      ),
      messagesWithMetaByUids: p<[number, string], MessageRow & { meta: Buffer }>(
        `SELECT ${MESSAGE_COLUMNS}, c.meta FROM messages m JOIN contents c ON c.id = m.content_id
          WHERE m.mailbox_id = ? AND m.uid IN (SELECT value FROM json_each(?)) ORDER BY m.uid`,
      ),
      // The same for a dense page (FETCH 1:*): one range scan of the primary key instead of a lookup per UID.
      // Raw rows (arrays, see messageRowFromArray): building objects in JavaScript costs half of what
      // better-sqlite3's native row objects do, and FETCH 1:* reads every row of the mailbox.
      messagesByUidRange: rawMessageRows(
        p<[number, number, number], unknown[]>(
          `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN contents c ON c.id = m.content_id
            WHERE m.mailbox_id = ? AND m.uid BETWEEN ? AND ? ORDER BY m.uid`,
        ),
      ),
      messagesWithMetaByUidRange: rawMessageRows(
        p<[number, number, number], unknown[]>(
          `SELECT ${MESSAGE_COLUMNS}, c.meta FROM messages m JOIN contents c ON c.id = m.content_id
            WHERE m.mailbox_id = ? AND m.uid BETWEEN ? AND ? ORDER BY m.uid`,
        ),
      ),
      // INDEXED BY: without ANALYZE statistics the planner would walk the whole mailbox by primary key.
      deletedMessages: p<[number], MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages m INDEXED BY messages_deleted JOIN contents c ON c.id = m.content_id
          WHERE m.mailbox_id = ? AND m.deleted = 1 ORDER BY m.uid`,
      ),
      messageBody: p<[number, number], { content_id: number; size: number }>(
        'SELECT content_id, size FROM messages WHERE mailbox_id = ? AND uid = ?',
      ),
      updateFlags: p<[string, number, number, number, number, number]>(
        'UPDATE messages SET flags = ?, seen = ?, deleted = ?, modseq = ? WHERE mailbox_id = ? AND uid = ?',
      ),
      deleteMessage: p<[number, number]>('DELETE FROM messages WHERE mailbox_id = ? AND uid = ?'),
      insertExpunged: p<[number, number, number]>('INSERT OR REPLACE INTO expunged (mailbox_id, uid, modseq) VALUES (?, ?, ?)'),
      expungedSince: p<[number, number], { uid: number }>(
        'SELECT uid FROM expunged WHERE mailbox_id = ? AND modseq > ? ORDER BY uid',
      ),
      contentIdsOf: p<[number], { content_id: number }>('SELECT DISTINCT content_id FROM messages WHERE mailbox_id = ?'),
      deleteMessagesOf: p<[number]>('DELETE FROM messages WHERE mailbox_id = ?'),
      deleteExpungedOf: p<[number]>('DELETE FROM expunged WHERE mailbox_id = ?'),
      moveMessages: p<[number, number]>('UPDATE messages SET mailbox_id = ? WHERE mailbox_id = ?'),
    };
  }

  /**
   * Run one command's mutation in an IMMEDIATE transaction (the write lock is taken at BEGIN, so two
   * processes never deadlock upgrading a read lock). Change records `emit`ted by `fn` are written to the log
   * inside the transaction and published after the commit, after any records other processes committed
   * before us: listeners see one global order. With synchronous = FULL the commit is durable when this
   * returns.
   */
  write<T>(fn: (emit: (account: string, mailboxId: number, change: MailboxChange) => void) => T): T {
    const own: AddressedChange[] = [];
    let remote: AddressedChange[] = [];
    let gap = false;
    const emit = (account: string, mailboxId: number, change: MailboxChange): void => {
      this.log.write(account, mailboxId, change);
      own.push({ account, mailboxId, change });
    };
    let result: T;
    try {
      result = this.db
        .transaction(() => {
          own.length = 0;
          const r = this.log.readRemote();
          remote = r.changes;
          gap = r.gap;
          return fn(emit);
        })
        .immediate();
    } catch (err) {
      this.publish(remote, gap);
      throw translateSqliteError(err);
    }
    this.publish(remote, gap);
    this.publish(own, false);
    return result;
  }

  /** Deliver records to this process's listeners (and drop the listeners of mailboxes that went away). */
  publish(changes: readonly AddressedChange[], gap: boolean): void {
    if (gap) for (const m of [...this.openMailboxes]) m.onGap();
    for (const c of changes) {
      this.hub.publish(c.account, String(c.mailboxId), c.change);
      if (c.change.type === 'gone') this.hub.clearMailbox(c.account, String(c.mailboxId));
    }
  }

  /** Look for other processes' commits and publish their records (the poller's tick). */
  poll(): void {
    if (!this.db.open || !this.log.othersCommitted()) return;
    const r = this.db.transaction(() => this.log.readRemote())();
    this.publish(r.changes, r.gap);
  }

  /** A fresh UIDVALIDITY from the database-wide counter (inside a write transaction). */
  nextUidValidity(): number {
    // Seconds since the epoch as Dovecot does, but strictly increasing, kept in the file so that no restart
    // or second process can hand out the same value twice (RFC 3501 section 2.3.1.1).
    return this.s.nextUidValidity.get(Math.floor(Date.now() / 1000))!.value;
  }

  /** Create a mailbox row (inside a write transaction). */
  insertMailbox(accountId: number, name: string, specialUse: readonly SpecialUse[]): MailboxRow {
    const id = Number(
      this.s.insertMailbox.run(accountId, name, newObjectId('F'), joinSpecialUse(specialUse), this.nextUidValidity()).lastInsertRowid,
    );
    return this.s.mailboxById.get(id)!;
  }

  /** The LIST view of a mailbox row. */
  info(row: MailboxRow, subscribed: boolean): MailboxInfo {
    return { name: row.name, id: row.object_id, specialUse: splitSpecialUse(row.special_use), subscribed };
  }

  /**
   * Add the keywords of these flag lists to the mailbox's list; returns the new full list when it grew
   * (the caller emits a 'keywords' record), null otherwise. 'invalid' past the cap.
   */
  growKeywords(mailboxId: number, flagLists: Iterable<readonly string[]>): string[] | null {
    const current = this.s.keywords.all(mailboxId).map((r) => r.keyword);
    const added = addedKeywords(current, flagLists);
    if (added.length === 0) return null;
    for (const kw of added) this.s.insertKeyword.run(mailboxId, kw);
    return [...current, ...added];
  }

  /**
   * The parse-once record of a content. A record this code cannot read (written by another META_VERSION,
   * or damaged) is rebuilt from the stored bytes, which are the truth, and written back so the next read is
   * cheap again: a META_VERSION bump migrates records lazily instead of failing FETCH.
   */
  metaOf(contentId: number, size: number, stored: Buffer): MessageMeta {
    const decoded = decodeStoredMeta(stored);
    if (decoded) return decoded;
    const meta = parseMessage(this.contents.read(contentId, size, 0, size));
    try {
      this.db.transaction(() => this.s.setMeta.run(encodeMeta(meta), contentId)).immediate();
    } catch {
      // Best effort: another process holds the write lock for long; the next read parses again.
    }
    return meta;
  }

  /** Delete contents no message refers to any more (inside a write transaction). */
  collectContents(contentIds: Iterable<number>): void {
    for (const id of new Set(contentIds)) {
      if (this.s.contentUsed.get(id)) continue;
      this.s.deleteContent.run(id);
      this.contents.delete(id);
    }
  }

  /**
   * Delete a mailbox with its messages (inside a write transaction); emits 'gone'. Its subscriptions stay
   * (RFC 3501 section 6.3.9: subscriptions are independent of existence).
   */
  dropMailbox(account: string, row: MailboxRow, emit: (account: string, mailboxId: number, change: MailboxChange) => void): void {
    const contentIds = this.s.contentIdsOf.all(row.id).map((r) => r.content_id);
    this.s.deleteMessagesOf.run(row.id);
    this.s.deleteExpungedOf.run(row.id);
    this.s.deleteKeywords.run(row.id);
    this.s.deleteMailbox.run(row.id);
    this.collectContents(contentIds);
    emit(account, row.id, { type: 'gone' });
  }
}

/**
 * SQLITE_BUSY after the busy timeout means another process holds the write lock for too long: a temporary
 * failure the client may retry (IMAP [UNAVAILABLE], LMTP 451), not a server bug. SQLITE_FULL likewise.
 */
export function translateSqliteError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))) {
    return new StoreError('unavailable', 'the mail store is busy, try again', { cause: err });
  }
  if (code === 'SQLITE_FULL') return new StoreError('unavailable', 'the mail store is out of disk space', { cause: err });
  return err;
}
