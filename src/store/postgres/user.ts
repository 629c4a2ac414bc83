/**
 * An account of the PostgreSQL store: the contract's User.
 *
 * Parallel to sqlite/user.ts on purpose: input checks, names, special-use, counters and thread keys are shared
 * (shared/); the transactions around them differ in kind (awaited with account and mailbox row locks here; synchronous there).
 */
import type { MessageMeta } from '../../message/types.ts';
import { INBOX, normalizeMailboxName, parentNames } from '../../core/mailbox-name.ts';
import { StoreError } from '../errors.ts';
import { prepareAppend } from '../shared/append-input.ts';
import { checkUidSpace } from '../shared/limits.ts';
import { OpenSet } from '../shared/open-set.ts';
import { countMessages, type CountedMessage } from '../shared/message-counts.ts';
import { assertMailboxName, assertNotUnderItself, inSubtree, mailboxNameToCreate, planSubtreeRename, validMailboxName } from '../shared/mailbox-names.ts';
import { newObjectId, ownThreadId } from '../shared/object-ids.ts';
import { checkedSpecialUse } from '../shared/special-use.ts';
import { snapshotFromRow, statusFromRow } from '../shared/sql-rows.ts';
import { threadLookupKeys } from '../shared/thread-keys.ts';
import type { AppendInput, AppendResult, MailboxInfo, MailboxStatus, OpenMailboxOptions, SpecialUse, User } from '../types.ts';
import type { PoolClient } from 'pg';
import { PG_CHUNK_SIZE, writeChunks } from './contents.ts';
import { isUniqueViolation, one, rows } from './db.ts';
import { PgMailbox, flagColumns } from './mailbox.ts';
import type { PgMailboxRow, PgStore, WriteTx } from './store.ts';

/** The account a User belongs to. */
export interface PgAccount {
  readonly id: number;
  readonly name: string;
}

/** The PostgreSQL store's User. */
export class PgUser implements User {
  readonly #store: PgStore;
  readonly #account: PgAccount;
  readonly #open = new OpenSet<PgMailbox>();
  readonly #maxMessageSize: number;
  readonly #onClosed: (user: PgUser) => void;

  constructor(store: PgStore, account: PgAccount, maxMessageSize: number, onClosed: (user: PgUser) => void = () => {}) {
    this.#store = store;
    this.#account = account;
    this.#maxMessageSize = maxMessageSize;
    this.#onClosed = onClosed;
  }

  get username(): string {
    return this.#account.name;
  }

  async listMailboxes(): Promise<MailboxInfo[]> {
    this.#store.check();
    const found = await rows<{ name: string; object_id: string; special_use: string; subscribed: boolean }>(
      this.#store.pool,
      `SELECT b.name, b.object_id, b.special_use,
              EXISTS (SELECT 1 FROM subscriptions s WHERE s.account_id = b.account_id AND s.name = b.name) AS subscribed
         FROM mailboxes b WHERE b.account_id = $1`,
      [this.#account.id],
    );
    return found.map((r) => this.#store.info(r, r.subscribed));
  }

  async listSubscriptions(): Promise<string[]> {
    this.#store.check();
    const found = await rows<{ name: string }>(
      this.#store.pool,
      'SELECT name FROM subscriptions WHERE account_id = $1 ORDER BY name COLLATE "C"',
      [this.#account.id],
    );
    return found.map((r) => r.name);
  }

  async createMailbox(name: string, options?: { specialUse?: readonly SpecialUse[] }): Promise<MailboxInfo> {
    this.#store.check();
    const target = mailboxNameToCreate(name);
    const specialUse = checkedSpecialUse(options?.specialUse);
    try {
      return await this.#store.write(this.#account.name, async (tx) => {
        await this.#lockAccount(tx.client);
        if (await this.#get(tx.client, target)) throw new StoreError('exists', 'mailbox already exists');
        await this.#createParents(tx.client, target);
        const row = await this.#store.insertMailbox(tx.client, this.#account.id, target, specialUse);
        return this.#store.info(row, await this.#subscribed(tx.client, target));
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreError('exists', 'mailbox already exists');
      throw err;
    }
  }

  async deleteMailbox(name: string): Promise<void> {
    this.#store.check();
    const target = normalizeMailboxName(name);
    if (target === INBOX) throw new StoreError('noPermission', 'INBOX cannot be deleted');
    await this.#store.write(this.#account.name, async (tx) => {
      await this.#lockAccount(tx.client);
      const row = await this.#store.lockByName(tx.client, this.#account.id, target);
      if (!row) throw new StoreError('notFound', 'mailbox does not exist');
      await this.#store.dropMailbox(tx, row);
    });
  }

  async renameMailbox(from: string, to: string): Promise<void> {
    this.#store.check();
    const source = normalizeMailboxName(from);
    const target = validMailboxName(to);
    if (target === source) throw new StoreError('exists', 'mailbox already exists');
    if (source !== INBOX) assertNotUnderItself(source, target);
    await this.#store.write(this.#account.name, async (tx) => {
      await this.#lockAccount(tx.client);
      const row = await this.#store.lockByName(tx.client, this.#account.id, source);
      if (!row) throw new StoreError('notFound', 'mailbox does not exist');
      if (await this.#get(tx.client, target)) throw new StoreError('exists', 'mailbox already exists');
      if (source === INBOX) {
        await this.#renameInbox(tx, row, target);
        return;
      }
      // The mailbox and every inferior move together (RFC 3501 section 6.3.5); MAILBOXID stays (RFC 8474).
      const all = await rows<PgMailboxRow>(tx.client, 'SELECT * FROM mailboxes WHERE account_id = $1', [this.#account.id]);
      const ids = all.filter((b) => inSubtree(b.name, source)).map((b) => b.id);
      const locked = await this.#store.lockByIds(tx.client, ids);
      const names = new Set(all.map((b) => b.name));
      const moving = planSubtreeRename(locked.values(), (b) => b.name, source, target, (n) => names.has(n));
      await this.#createParents(tx.client, target);
      // Two passes through temporary names so that no intermediate state collides on (account, name).
      for (const m of moving) await rows(tx.client, 'UPDATE mailboxes SET name = $1 WHERE id = $2', [`\u0001${m.item.id}`, m.item.id]);
      for (const m of moving) await rows(tx.client, 'UPDATE mailboxes SET name = $1 WHERE id = $2', [m.to, m.item.id]);
      for (const m of moving) await tx.emit(m.item.id, { type: 'gone' });
    });
  }

  async setSubscribed(name: string, subscribed: boolean): Promise<void> {
    this.#store.check();
    const target = normalizeMailboxName(name);
    if (subscribed) assertMailboxName(target);
    await this.#store.write(this.#account.name, async (tx) => {
      if (subscribed) {
        await rows(tx.client, 'INSERT INTO subscriptions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [this.#account.id, target]);
      } else {
        await rows(tx.client, 'DELETE FROM subscriptions WHERE account_id = $1 AND name = $2', [this.#account.id, target]);
      }
    });
  }

  async status(name: string): Promise<MailboxStatus> {
    this.#store.check();
    const row = await this.#get(this.#store.pool, normalizeMailboxName(name));
    if (!row) throw new StoreError('notFound', 'mailbox does not exist');
    return statusFromRow(row);
  }

  async append(name: string, messages: readonly AppendInput[]): Promise<AppendResult> {
    this.#store.check();
    const target = normalizeMailboxName(name);
    // Checked and parsed before the transaction: the mailbox lock is held only for the inserts.
    const prepared = messages.map((m) => prepareAppend(m, this.#maxMessageSize));
    return this.#store.write(this.#account.name, async (tx) => {
      const box = await this.#store.lockByName(tx.client, this.#account.id, target);
      if (!box) throw new StoreError('notFound', 'mailbox does not exist');
      if (prepared.length === 0) return { uidValidity: box.uid_validity, uids: [] };
      checkUidSpace(box.uid_next, prepared.length);
      const grown = await this.#store.growKeywords(tx.client, box.id, prepared.map((p) => p.flags));
      if (grown) await tx.emit(box.id, { type: 'keywords', keywords: grown });
      const modseq = box.highest_modseq + 1;
      const now = Date.now();
      const uids: number[] = [];
      const added: CountedMessage[] = [];
      for (const [i, p] of prepared.entries()) {
        const uid = box.uid_next + i;
        const emailId = newObjectId('M');
        const threadId = await assignThread(tx.client, this.#account.id, p.meta, ownThreadId(emailId));
        const cols = flagColumns(p.flags);
        const message = [box.id, uid, p.flags, cols.seen, cols.deleted, modseq, p.internalDate, now, p.content.length];
        if (p.content.length <= PG_CHUNK_SIZE) {
          // The common case, one chunk: content, bytes and message row in one round trip (the foreign keys
          // are checked at the end of the statement).
          await rows(
            tx.client,
            `WITH c AS (INSERT INTO contents (size, email_id, thread_id, meta) VALUES ($9, $10, $11, $12) RETURNING id),
                  k AS (INSERT INTO content_chunks (content_id, seq, data) SELECT id, 0, $13 FROM c)
             INSERT INTO messages (mailbox_id, uid, content_id, flags, seen, deleted, modseq, internal_date, save_date, size)
             SELECT $1, $2, id, $3, $4, $5, $6, $7, $8, $9 FROM c`,
            [...message, emailId, threadId, p.encoded, p.content],
          );
        } else {
          const content = await one<{ id: number }>(
            tx.client,
            'INSERT INTO contents (size, email_id, thread_id, meta) VALUES ($1, $2, $3, $4) RETURNING id',
            [p.content.length, emailId, threadId, p.encoded],
          );
          await writeChunks(tx.client, content!.id, p.content);
          await rows(
            tx.client,
            `INSERT INTO messages (mailbox_id, uid, content_id, flags, seen, deleted, modseq, internal_date, save_date, size)
             VALUES ($1, $2, $10, $3, $4, $5, $6, $7, $8, $9)`,
            [...message, content!.id],
          );
        }
        added.push({ ...cols, size: p.content.length });
        uids.push(uid);
      }
      const n = countMessages(added);
      await rows(
        tx.client,
        `UPDATE mailboxes SET uid_next = $1, highest_modseq = $2, messages = messages + $3, unseen = unseen + $4,
                deleted = deleted + $5, size = size + $6 WHERE id = $7`,
        [box.uid_next + prepared.length, modseq, n.messages, n.unseen, n.deleted, n.size, box.id],
      );
      await tx.emit(box.id, { type: 'append', uids: [...uids], modseq });
      return { uidValidity: box.uid_validity, uids };
    });
  }

  async openMailbox(name: string, options: OpenMailboxOptions): Promise<PgMailbox> {
    this.#store.check();
    const target = normalizeMailboxName(name);
    const store = this.#store;
    // In the account's queue: no record of this account is delivered on this node between the snapshot
    // and the registration of the listener, so none is lost or delivered twice.
    return store.queue.run(this.#account.name, async () => {
      store.feed.beginOpen();
      try {
        return await this.#openNow(target, options);
      } finally {
        store.feed.endOpen();
      }
    });
  }

  /** openMailbox's work, inside the account's queue. */
  async #openNow(target: string, options: OpenMailboxOptions): Promise<PgMailbox> {
    const store = this.#store;
    const taken = await store.snapshot(async (client) => {
      const row = await this.#get(client, target);
      if (!row) return null;
      const uids = (await rows<{ uid: number }>(client, 'SELECT uid FROM messages WHERE mailbox_id = $1 ORDER BY uid', [row.id])).map((r) => r.uid);
      const firstUnseen = await one<{ uid: number }>(
        client,
        'SELECT uid FROM messages WHERE mailbox_id = $1 AND seen = 0 ORDER BY uid LIMIT 1',
        [row.id],
      );
      const snapshot = snapshotFromRow(row, { uids, keywords: await store.keywords(client, row.id), firstUnseenUid: firstUnseen?.uid ?? null });
      return { row, snapshot, subscribed: await this.#subscribed(client, row.name) };
    });
    if (!taken) throw new StoreError('notFound', 'mailbox does not exist');
    store.check();
    const mailbox = new PgMailbox(
      store,
      this.#account,
      taken.row,
      store.info(taken.row, taken.subscribed),
      taken.snapshot,
      options.readOnly,
      (m) => this.#open.delete(m),
    );
    await store.feed.track(this.#account.name, taken.row.id, taken.row.change_seq, mailbox);
    mailbox.listen(options.onChange);
    this.#open.add(mailbox);
    return mailbox;
  }

  async close(): Promise<void> {
    await this.#open.closeAll();
    this.#onClosed(this);
  }

  /**
   * RFC 3501 section 6.3.5: renaming INBOX moves its messages to a new mailbox (new MAILBOXID, RFC 8474)
   * and leaves INBOX empty; its inferiors are not renamed. INBOX keeps its identity: its listeners see the
   * messages expunged. The rows move as they are (UIDs, flags, MODSEQ) under the new mailbox's UIDVALIDITY.
   */
  async #renameInbox(tx: WriteTx, row: PgMailboxRow, target: string): Promise<void> {
    await this.#createParents(tx.client, target);
    const moved = await this.#store.insertMailbox(tx.client, this.#account.id, target, []);
    const uids = (
      await rows<{ uid: number }>(tx.client, 'UPDATE messages SET mailbox_id = $1 WHERE mailbox_id = $2 RETURNING uid', [moved.id, row.id])
    )
      .map((r) => r.uid)
      .sort((a, b) => a - b);
    await rows(tx.client, 'INSERT INTO mailbox_keywords (mailbox_id, keyword) SELECT $1, keyword FROM mailbox_keywords WHERE mailbox_id = $2', [
      moved.id,
      row.id,
    ]);
    await rows(
      tx.client,
      `UPDATE mailboxes SET uid_next = $1, highest_modseq = $2, messages = $3, unseen = $4, deleted = $5, size = $6 WHERE id = $7`,
      [row.uid_next, row.highest_modseq, row.messages, row.unseen, row.deleted, row.size, moved.id],
    );
    if (uids.length === 0) return;
    const modseq = row.highest_modseq + 1;
    await rows(
      tx.client,
      `INSERT INTO expunged (mailbox_id, uid, modseq) SELECT $1, unnest($2::bigint[]), $3
       ON CONFLICT (mailbox_id, uid) DO UPDATE SET modseq = EXCLUDED.modseq`,
      [row.id, uids, modseq],
    );
    await rows(
      tx.client,
      'UPDATE mailboxes SET highest_modseq = $1, messages = 0, unseen = 0, deleted = 0, size = 0 WHERE id = $2',
      [modseq, row.id],
    );
    await tx.emit(row.id, { type: 'expunge', uids, modseq });
  }

  #get(db: PoolClient | PgStore['pool'], name: string): Promise<PgMailboxRow | undefined> {
    return one<PgMailboxRow>(db, 'SELECT * FROM mailboxes WHERE account_id = $1 AND name = $2', [this.#account.id, name]);
  }

  async #subscribed(db: PoolClient, name: string): Promise<boolean> {
    return (await one(db, 'SELECT 1 FROM subscriptions WHERE account_id = $1 AND name = $2', [this.#account.id, name])) !== undefined;
  }

  /**
   * Serialize changes of the account's mailbox tree across nodes (CREATE, DELETE, RENAME): taken before any
   * mailbox lock, always in that order.
   */
  async #lockAccount(client: PoolClient): Promise<void> {
    const row = await one(client, 'SELECT id FROM accounts WHERE id = $1 FOR UPDATE', [this.#account.id]);
    if (!row) throw new StoreError('notFound', 'account no longer exists');
  }

  /** Create missing parents of a name (inside a write transaction), as CREATE and RENAME require. */
  async #createParents(client: PoolClient, name: string): Promise<void> {
    for (const parent of parentNames(name)) {
      if (!(await this.#get(client, parent))) await this.#store.insertMailbox(client, this.#account.id, parent, []);
    }
  }
}

/**
 * THREADID for a new message (inside the append transaction), by references (the rule and the keys are
 * shared/thread-keys.ts; the lookup-and-file is one PostgreSQL statement); `fresh` when it starts a thread.
 */
async function assignThread(client: PoolClient, accountId: number, meta: MessageMeta, fresh: string): Promise<string> {
  const keys = threadLookupKeys(meta);
  if (keys.length === 0) return fresh;
  // One round trip: find the thread of any key, then file every key under it (existing keys keep theirs).
  const found = await one<{ thread_id: string }>(
    client,
    `WITH found AS (SELECT thread_id FROM threads WHERE account_id = $1 AND message_id = ANY($2::text[]) LIMIT 1),
          chosen AS (SELECT coalesce((SELECT thread_id FROM found), $3) AS thread_id),
          filed AS (INSERT INTO threads (account_id, message_id, thread_id)
                    SELECT $1, unnest($2::text[]), (SELECT thread_id FROM chosen) ON CONFLICT DO NOTHING)
     SELECT thread_id FROM chosen`,
    [accountId, keys, fresh],
  );
  return found!.thread_id;
}
