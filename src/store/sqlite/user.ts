/**
 * An account of the SQLite store: the contract's User.
 *
 * Parallel to postgres/user.ts on purpose: input checks, names, special-use, counters and thread keys are shared
 * (shared/); the transactions around them differ in kind (synchronous here; awaited with account and mailbox row locks there).
 */
import { INBOX, normalizeMailboxName, parentNames } from '../../core/mailbox-name.ts';
import { StoreError } from '../errors.ts';
import type {
  AppendInput,
  AppendResult,
  MailboxInfo,
  MailboxStatus,
  OpenMailboxOptions,
  SpecialUse,
  User,
} from '../types.ts';
import { prepareAppend } from '../shared/append-input.ts';
import { checkUidSpace } from '../shared/limits.ts';
import { OpenSet } from '../shared/open-set.ts';
import { countMessages, type CountedMessage } from '../shared/message-counts.ts';
import { assertMailboxName, assertNotUnderItself, mailboxNameToCreate, planSubtreeRename, validMailboxName } from '../shared/mailbox-names.ts';
import { newObjectId, ownThreadId } from '../shared/object-ids.ts';
import { settle } from '../shared/settle.ts';
import { checkedSpecialUse, splitSpecialUse } from '../shared/special-use.ts';
import { snapshotFromRow, statusFromRow } from '../shared/sql-rows.ts';
import { SqliteMailbox, flagColumns } from './mailbox.ts';
import type { MailboxRow, SqliteStore } from './store.ts';

/** The SQLite store's User. */
export class SqliteUser implements User {
  readonly #store: SqliteStore;
  readonly #account: { id: number; name: string };
  readonly #open = new OpenSet<SqliteMailbox>();
  readonly #maxMessageSize: number;

  readonly #onClosed: (user: SqliteUser) => void;

  constructor(
    store: SqliteStore,
    accountId: number,
    readonly username: string,
    maxMessageSize: number,
    onClosed: (user: SqliteUser) => void = () => {},
  ) {
    this.#onClosed = onClosed;
    this.#store = store;
    this.#account = { id: accountId, name: username };
    this.#maxMessageSize = maxMessageSize;
  }

  listMailboxes(): Promise<MailboxInfo[]> {
    return settle(() => {
      this.#check();
      return this.#store.s.listMailboxes.all(this.#account.id).map((r) => ({
        name: r.name,
        id: r.object_id,
        specialUse: splitSpecialUse(r.special_use),
        subscribed: r.subscribed === 1,
      }));
    });
  }

  listSubscriptions(): Promise<string[]> {
    return settle(() => {
      this.#check();
      return this.#store.s.subscriptionsOf.all(this.#account.id).map((r) => r.name);
    });
  }

  createMailbox(name: string, options?: { specialUse?: readonly SpecialUse[] }): Promise<MailboxInfo> {
    return settle(() => {
      this.#check();
      const target = mailboxNameToCreate(name);
      const specialUse = checkedSpecialUse(options?.specialUse);
      return this.#store.write(() => {
        if (this.#get(target)) throw new StoreError('exists', 'mailbox already exists');
        this.#createParents(target);
        const row = this.#store.insertMailbox(this.#account.id, target, specialUse);
        return this.#store.info(row, this.#subscribed(target));
      });
    });
  }

  deleteMailbox(name: string): Promise<void> {
    return settle(() => {
      this.#check();
      const target = normalizeMailboxName(name);
      if (target === INBOX) throw new StoreError('noPermission', 'INBOX cannot be deleted');
      this.#store.write((emit) => {
        const row = this.#get(target);
        if (!row) throw new StoreError('notFound', 'mailbox does not exist');
        this.#store.dropMailbox(this.#account.name, row, emit);
      });
    });
  }

  renameMailbox(from: string, to: string): Promise<void> {
    return settle(() => {
      this.#check();
      const source = normalizeMailboxName(from);
      const target = validMailboxName(to);
      if (target === source) throw new StoreError('exists', 'mailbox already exists');
      if (source !== INBOX) assertNotUnderItself(source, target);
      this.#store.write((emit) => {
        const row = this.#get(source);
        if (!row) throw new StoreError('notFound', 'mailbox does not exist');
        if (this.#get(target)) throw new StoreError('exists', 'mailbox already exists');
        if (source === INBOX) {
          // RFC 3501 section 6.3.5: renaming INBOX moves its messages to a new mailbox (new MAILBOXID, RFC
          // 8474) and leaves INBOX empty; its inferiors are not renamed. INBOX keeps its identity: its
          // listeners see the messages expunged. The rows move as they are (UIDs, flags, MODSEQ) under the
          // new mailbox's fresh UIDVALIDITY.
          this.#createParents(target);
          const moved = this.#store.insertMailbox(this.#account.id, target, []);
          const uids = this.#store.s.uids.all(row.id).map((r) => r.uid);
          this.#store.s.moveMessages.run(moved.id, row.id);
          this.#store.s.setCounters.run(row.uid_next, row.highest_modseq, row.messages, row.unseen, row.deleted, row.size, moved.id);
          if (uids.length > 0) {
            const modseq = row.highest_modseq + 1;
            for (const uid of uids) this.#store.s.insertExpunged.run(row.id, uid, modseq);
            this.#store.s.setCounters.run(row.uid_next, modseq, 0, 0, 0, 0, row.id);
            emit(this.#account.name, row.id, { type: 'expunge', uids, modseq });
          }
          return;
        }
        // The mailbox and every inferior move together (RFC 3501 section 6.3.5); MAILBOXID stays (RFC 8474).
        const moving = planSubtreeRename(this.#store.s.mailboxesOf.all(this.#account.id), (b) => b.name, source, target, (n) => this.#get(n) !== undefined);
        this.#createParents(target);
        // Two passes through temporary names so that no intermediate state collides on (account, name).
        for (const m of moving) this.#store.s.renameMailbox.run(`\u0000${m.item.id}`, m.item.id);
        for (const m of moving) this.#store.s.renameMailbox.run(m.to, m.item.id);
        for (const m of moving) emit(this.#account.name, m.item.id, { type: 'gone' });
      });
    });
  }

  setSubscribed(name: string, subscribed: boolean): Promise<void> {
    return settle(() => {
      this.#check();
      const target = normalizeMailboxName(name);
      if (subscribed) assertMailboxName(target);
      this.#store.write(() => {
        if (subscribed) this.#store.s.subscribe.run(this.#account.id, target);
        else this.#store.s.unsubscribe.run(this.#account.id, target);
      });
    });
  }

  status(name: string): Promise<MailboxStatus> {
    return settle(() => {
      this.#check();
      const row = this.#get(normalizeMailboxName(name));
      if (!row) throw new StoreError('notFound', 'mailbox does not exist');
      return statusFromRow(row);
    });
  }

  append(name: string, messages: readonly AppendInput[]): Promise<AppendResult> {
    return settle(() => {
      this.#check();
      const target = normalizeMailboxName(name);
      // Checked and parsed before the transaction: the write lock is held only for the inserts.
      const prepared = messages.map((m) => prepareAppend(m, this.#maxMessageSize));
      return this.#store.write((emit) => {
        const box = this.#get(target);
        if (!box) throw new StoreError('notFound', 'mailbox does not exist');
        if (prepared.length === 0) return { uidValidity: box.uid_validity, uids: [] };
        checkUidSpace(box.uid_next, prepared.length);
        const grown = this.#store.growKeywords(box.id, prepared.map((p) => p.flags));
        if (grown) emit(this.#account.name, box.id, { type: 'keywords', keywords: grown });
        const modseq = box.highest_modseq + 1;
        const now = Date.now();
        const uids: number[] = [];
        const added: CountedMessage[] = [];
        prepared.forEach((p, i) => {
          const uid = box.uid_next + i;
          const emailId = newObjectId('M');
          const threadId = this.#store.threads.assign(this.#account.id, p.meta, ownThreadId(emailId));
          const contentId = Number(this.#store.s.insertContent.run(p.content.length, emailId, threadId, p.encoded).lastInsertRowid);
          this.#store.contents.write(contentId, p.content);
          const cols = flagColumns(p.flags);
          this.#store.s.insertMessage.run(box.id, uid, contentId, cols.json, cols.seen, cols.deleted, modseq, p.internalDate, now, p.content.length);
          added.push({ ...cols, size: p.content.length });
          uids.push(uid);
        });
        const n = countMessages(added);
        this.#store.s.updateCounters.run(box.uid_next + prepared.length, modseq, n.messages, n.unseen, n.deleted, n.size, box.id);
        emit(this.#account.name, box.id, { type: 'append', uids: [...uids], modseq });
        return { uidValidity: box.uid_validity, uids };
      });
    });
  }

  openMailbox(name: string, options: OpenMailboxOptions): Promise<SqliteMailbox> {
    return settle(() => {
      this.#check();
      const target = normalizeMailboxName(name);
      const store = this.#store;
      // One read transaction for the catch-up on other processes' records and the snapshot, so the two agree;
      // the listener is registered in the same synchronous step, after the catch-up is published: no record
      // can fall between the snapshot and the listener, and none is delivered twice.
      const taken = store.db.transaction(() => {
        const remote = store.log.readRemote();
        const row = this.#get(target);
        if (!row) return { remote, opened: null };
        const snapshot = snapshotFromRow(row, {
          uids: store.s.uids.all(row.id).map((r) => r.uid),
          keywords: store.s.keywords.all(row.id).map((r) => r.keyword),
          firstUnseenUid: store.s.firstUnseen.get(row.id)?.uid ?? null,
        });
        return { remote, opened: { row, snapshot, subscribed: this.#subscribed(row.name) } };
      })();
      store.publish(taken.remote.changes, taken.remote.gap);
      const opened = taken.opened;
      if (!opened) throw new StoreError('notFound', 'mailbox does not exist');
      const mailbox = new SqliteMailbox(
        store,
        this.#account,
        opened.row,
        store.info(opened.row, opened.subscribed),
        opened.snapshot,
        options.readOnly,
        (m) => this.#open.delete(m),
      );
      mailbox.listen(options.onChange);
      this.#open.add(mailbox);
      return mailbox;
    });
  }

  async close(): Promise<void> {
    await this.#open.closeAll();
    this.#onClosed(this);
  }

  #get(name: string): MailboxRow | undefined {
    return this.#store.s.mailboxByName.get(this.#account.id, name);
  }

  #subscribed(name: string): boolean {
    return this.#store.s.isSubscribed.get(this.#account.id, name) !== undefined;
  }

  /** Create missing parents of a name (inside a write transaction), as CREATE and RENAME require. */
  #createParents(name: string): void {
    for (const parent of parentNames(name)) {
      if (!this.#get(parent)) this.#store.insertMailbox(this.#account.id, parent, []);
    }
  }

  #check(): void {
    if (!this.#store.db.open) throw new StoreError('unavailable', 'store closed');
  }
}
