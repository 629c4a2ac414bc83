/**
 * An opened mailbox of the SQLite store: the contract's Mailbox, with MOVE and the expunge log.
 *
 * Parallel to postgres/mailbox.ts on purpose: the two run the same algorithms, whose storage-neutral parts are in
 * shared/ (flags, STORE planning, lifecycle, counters, rows, prefilter); what is left is I/O, which differs in
 * kind (here synchronous statements inside one IMMEDIATE transaction; there awaited statements under
 * row locks, batched per page), so the classes are not merged behind a query abstraction.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { compileSearch } from '../../search/index.ts';
import type { SearchQuery } from '../../search/types.ts';
import { normalizeMailboxName } from '../../core/mailbox-name.ts';
import { StoreError } from '../errors.ts';
import type {
  CopyResult,
  ExpungeLogMailbox,
  FlagChange,
  FlagUpdate,
  MailboxChange,
  MailboxInfo,
  MailboxSnapshot,
  MessageBody,
  MessageRecord,
  MovableMailbox,
  StoreFlagsResult,
} from '../types.ts';
import { planFlagChange } from '../shared/flag-change.ts';
import { flagBits, storableFlags } from '../shared/flags.ts';
import { MailboxLifecycle, assertWritable } from '../shared/mailbox-lifecycle.ts';
import { checkUidSpace } from '../shared/limits.ts';
import { countMessages, type CountedMessage } from '../shared/message-counts.ts';
import { settle } from '../shared/settle.ts';
import { prefilter, QUESTION_PLACEHOLDERS } from '../shared/sql-prefilter.ts';
import { MESSAGE_COLUMNS, recordFromRow } from '../shared/sql-rows.ts';
import { denseSpan, pages, sortedUniqueUids as sortedUnique, uidsToRemove } from '../shared/uid-lists.ts';
import { messageRowFromArray, type MailboxRow, type MessageRow, type SqliteStore } from './store.ts';

/** UIDs per statement for fetch and flag updates: bounded statement work per call, as callers page too. */
export const UID_PAGE = 1000;

/** Messages read per SEARCH page; the event loop gets a turn between pages. */
export const SEARCH_PAGE = 1000;

type Emit = (account: string, mailboxId: number, change: MailboxChange) => void;

/** The flags of a message row. */
export function rowFlags(row: { flags: string }): string[] {
  return JSON.parse(row.flags) as string[];
}

/** Per-message flag columns derived from a flag list: the list as JSON text (SQLite has no arrays) and its bits. */
export function flagColumns(flags: readonly string[]): { json: string; seen: number; deleted: number } {
  return { json: JSON.stringify(flags), ...flagBits(flags) };
}

/** The SQLite store's opened mailbox. */
export class SqliteMailbox implements MovableMailbox, ExpungeLogMailbox {
  readonly #store: SqliteStore;
  readonly #account: { id: number; name: string };
  readonly #id: number;
  readonly #uidValidity: number;
  readonly #onClosed: (m: SqliteMailbox) => void;
  readonly #life = new MailboxLifecycle();

  constructor(
    store: SqliteStore,
    account: { id: number; name: string },
    row: MailboxRow,
    readonly info: MailboxInfo,
    readonly snapshot: MailboxSnapshot,
    readonly readOnly: boolean,
    onClosed: (m: SqliteMailbox) => void,
  ) {
    this.#store = store;
    this.#account = account;
    this.#id = row.id;
    this.#uidValidity = row.uid_validity;
    this.#onClosed = onClosed;
  }

  /** Register the listener: called by openMailbox in the same synchronous step as the snapshot. */
  listen(onChange: (change: MailboxChange) => void): void {
    this.#life.listen((listener) => this.#store.hub.subscribe(this.#account.name, String(this.#id), listener), onChange);
    this.#store.openMailboxes.add(this);
  }

  /**
   * Records of the cross-process feed were pruned before we read them: this mailbox's view can no longer
   * be kept exact, so the session must drop it. Only this Mailbox's listener is told (each open Mailbox
   * gets its own call), and its listener is unregistered: after 'gone' nothing more is delivered
   * (store/types.ts), as in the PostgreSQL store.
   */
  onGap(): void {
    this.#life.gap();
  }

  fetch(uids: readonly number[], options?: { meta?: boolean }): Promise<MessageRecord[]> {
    return settle(() => {
      this.#check();
      const out: MessageRecord[] = [];
      const withMeta = options?.meta === true;
      const s = this.#store.s;
      for (const page of pages(sortedUnique(uids), UID_PAGE)) {
        // A dense page (FETCH 1:*) is one range scan; a sparse one is a lookup per UID.
        const span = denseSpan(page);
        let rows: (MessageRow & { meta?: Buffer })[];
        if (span) {
          rows = (withMeta ? s.messagesWithMetaByUidRange : s.messagesByUidRange).all(this.#id, span.first, span.last).map(messageRowFromArray);
          if (!span.exact) {
            const asked = new Set(page);
            rows = rows.filter((row) => asked.has(row.uid));
          }
        } else {
          rows = (withMeta ? s.messagesWithMetaByUids : s.messagesByUids).all(this.#id, JSON.stringify(page));
        }
        for (const row of rows) {
          out.push(withMeta ? { ...toRecord(row), meta: this.#store.metaOf(row.content_id, row.size, row.meta!) } : toRecord(row));
        }
      }
      return out;
    });
  }

  body(uid: number): Promise<MessageBody> {
    return settle(() => {
      this.#check();
      const row = this.#store.s.messageBody.get(this.#id, uid);
      if (!row) throw new StoreError('notFound', 'message has been expunged');
      return this.#store.contents.body(row.content_id, row.size);
    });
  }

  async search(query: SearchQuery): Promise<number[]> {
    this.#check();
    // One clock for the SQL prefilter and the evaluator, so WITHIN (RFC 5032) agrees between the two.
    const now = new Date();
    const compiled = compileSearch(query, { now });
    const cond = prefilter(query, now.getTime(), QUESTION_PLACEHOLDERS, 'jsonText');
    const columns = MESSAGE_COLUMNS + (compiled.needsMeta ? ', c.meta' : '');
    const sql =
      `SELECT ${columns} FROM messages m JOIN contents c ON c.id = m.content_id WHERE m.mailbox_id = ? AND m.uid > ?` +
      (cond ? ` AND (${cond.sql})` : '') +
      ` ORDER BY m.uid LIMIT ${SEARCH_PAGE}`;
    const stmt = this.#store.db.prepare<unknown[], MessageRow & { meta?: Buffer }>(sql);
    const out: number[] = [];
    let after = 0;
    for (;;) {
      this.#check();
      const rows = stmt.all(this.#id, after, ...(cond?.params ?? []));
      for (const row of rows) {
        let body: Buffer | undefined;
        if (compiled.needsBody) {
          try {
            body = this.#store.contents.read(row.content_id, row.size, 0, row.size);
          } catch (err) {
            if (err instanceof StoreError && err.kind === 'notFound') continue; // expunged meanwhile
            throw err;
          }
        }
        const match = compiled.match({
          ...toRecord(row),
          meta: row.meta ? this.#store.metaOf(row.content_id, row.size, row.meta) : undefined,
          body,
        });
        if (match) out.push(row.uid);
      }
      if (rows.length < SEARCH_PAGE) break;
      after = rows[rows.length - 1].uid;
      await yieldToLoop();
    }
    return out;
  }

  storeFlags(uids: readonly number[], change: FlagChange): Promise<StoreFlagsResult> {
    return settle(() => {
      this.#checkWritable();
      const flags = storableFlags(change.flags);
      const wanted = sortedUnique(uids);
      return this.#store.write((emit) => {
        const box = this.#row();
        const modified: number[] = [];
        const pending: { uid: number; flags: string[]; before: string[] }[] = [];
        for (const page of pages(wanted, UID_PAGE)) {
          for (const row of this.#store.s.messagesByUids.all(this.#id, JSON.stringify(page))) {
            const before = rowFlags(row);
            const next = planFlagChange(before, row.modseq, change, flags);
            if (next === 'modified') modified.push(row.uid);
            else if (next) pending.push({ uid: row.uid, flags: next, before });
          }
        }
        const updated: FlagUpdate[] = [];
        if (pending.length === 0) return { updated, modified };
        const grown = this.#store.growKeywords(this.#id, pending.map((p) => p.flags));
        if (grown) emit(this.#account.name, this.#id, { type: 'keywords', keywords: grown, origin: this });
        const modseq = box.highest_modseq + 1;
        let unseen = 0;
        let deleted = 0;
        for (const p of pending) {
          const next = flagColumns(p.flags);
          const prev = flagColumns(p.before);
          unseen += prev.seen - next.seen;
          deleted += next.deleted - prev.deleted;
          this.#store.s.updateFlags.run(next.json, next.seen, next.deleted, modseq, this.#id, p.uid);
          updated.push({ uid: p.uid, flags: p.flags, modseq });
        }
        this.#store.s.updateCounters.run(box.uid_next, modseq, 0, unseen, deleted, 0, this.#id);
        emit(this.#account.name, this.#id, { type: 'flags', updates: updated, origin: this });
        return { updated: updated.map((u) => ({ ...u, flags: [...u.flags] })), modified };
      });
    });
  }

  copy(uids: readonly number[], destination: string): Promise<CopyResult> {
    return settle(() => {
      this.#check();
      return this.#store.write((emit) => this.#copy(emit, uids, destination, false));
    });
  }

  move(uids: readonly number[], destination: string): Promise<CopyResult> {
    return settle(() => {
      this.#checkWritable();
      return this.#store.write((emit) => this.#copy(emit, uids, destination, true));
    });
  }

  expunge(uids?: readonly number[]): Promise<number[]> {
    return settle(() => {
      this.#checkWritable();
      const only = uids === undefined ? null : new Set(uids);
      return this.#store.write((emit) => {
        this.#row();
        const doomed = this.#store.s.deletedMessages.all(this.#id).filter((r) => only === null || only.has(r.uid));
        return this.#expungeRows(emit, doomed);
      });
    });
  }

  remove(uids: readonly number[]): Promise<number[]> {
    return settle(() => {
      this.#checkWritable();
      const wanted = uidsToRemove(uids);
      return this.#store.write((emit) => {
        this.#row();
        const rows: MessageRow[] = [];
        for (const page of pages(wanted, UID_PAGE)) rows.push(...this.#store.s.messagesByUids.all(this.#id, JSON.stringify(page)));
        if (rows.length !== wanted.length) {
          const found = new Set(rows.map((r) => r.uid));
          throw new StoreError('notFound', `no message with UID ${wanted.filter((u) => !found.has(u)).join(',')}`);
        }
        return this.#expungeRows(emit, rows);
      });
    });
  }

  expungedSince(modseq: number): Promise<number[]> {
    return settle(() => {
      this.#check();
      return this.#store.s.expungedSince.all(this.#id, modseq).map((r) => r.uid);
    });
  }

  close(): Promise<void> {
    return settle(() => {
      if (!this.#life.close()) return;
      this.#store.openMailboxes.delete(this);
      this.#onClosed(this);
    });
  }

  /** Remove rows (ascending UIDs): one mutation with one new MODSEQ, logged for QRESYNC. */
  #expungeRows(emit: Emit, rows: readonly MessageRow[]): number[] {
    if (rows.length === 0) return [];
    const box = this.#row();
    const modseq = box.highest_modseq + 1;
    for (const r of rows) {
      this.#store.s.deleteMessage.run(this.#id, r.uid);
      this.#store.s.insertExpunged.run(this.#id, r.uid, modseq);
    }
    const gone = countMessages(rows);
    this.#store.s.updateCounters.run(box.uid_next, modseq, -gone.messages, -gone.unseen, -gone.deleted, -gone.size, this.#id);
    this.#store.collectContents(rows.map((r) => r.content_id));
    const uids = rows.map((r) => r.uid);
    emit(this.#account.name, this.#id, { type: 'expunge', uids, modseq, origin: this });
    return [...uids];
  }

  /** Copy existing UIDs (ascending) to `destination`, sharing the stored bytes; MOVE also expunges here. */
  #copy(emit: Emit, uids: readonly number[], destination: string, expunge: boolean): CopyResult {
    this.#row();
    const dest = this.#store.s.mailboxByName.get(this.#account.id, normalizeMailboxName(destination));
    if (!dest) throw new StoreError('notFound', 'destination mailbox does not exist');
    const rows: MessageRow[] = [];
    for (const page of pages(sortedUnique(uids), UID_PAGE)) rows.push(...this.#store.s.messagesByUids.all(this.#id, JSON.stringify(page)));
    if (rows.length === 0) return { uidValidity: dest.uid_validity, sourceUids: [], destinationUids: [] };
    checkUidSpace(dest.uid_next, rows.length);
    const lists = rows.map(rowFlags);
    const grown = this.#store.growKeywords(dest.id, lists);
    if (grown) emit(this.#account.name, dest.id, { type: 'keywords', keywords: grown, origin: this });
    // RFC 3501 6.4.7 / RFC 8474: the copy keeps flags, internal date and EMAILID; it is a new mutation of
    // the destination (new MODSEQ) with a new SAVEDATE (RFC 8514).
    const modseq = dest.highest_modseq + 1;
    const now = Date.now();
    const destinationUids: number[] = [];
    const added: CountedMessage[] = [];
    rows.forEach((r, i) => {
      const uid = dest.uid_next + i;
      const cols = flagColumns(lists[i]);
      this.#store.s.insertMessage.run(dest.id, uid, r.content_id, cols.json, cols.seen, cols.deleted, modseq, r.internal_date, now, r.size);
      added.push({ ...cols, size: r.size });
      destinationUids.push(uid);
    });
    const n = countMessages(added);
    this.#store.s.updateCounters.run(dest.uid_next + rows.length, modseq, n.messages, n.unseen, n.deleted, n.size, dest.id);
    emit(this.#account.name, dest.id, { type: 'append', uids: [...destinationUids], modseq, origin: this });
    const sourceUids = rows.map((r) => r.uid);
    if (expunge) this.#expungeRows(emit, rows);
    return { uidValidity: dest.uid_validity, sourceUids, destinationUids };
  }

  /** The mailbox row, or 'expired' when the mailbox was deleted or re-created under us. */
  #row(): MailboxRow {
    this.#check();
    const row = this.#store.s.mailboxById.get(this.#id);
    if (!row || row.uid_validity !== this.#uidValidity) throw this.#life.expire();
    return row;
  }

  #check(): void {
    this.#life.check();
    if (!this.#store.db.open) throw new StoreError('unavailable', 'store closed');
  }

  #checkWritable(): void {
    this.#check();
    assertWritable(this.readOnly);
  }
}

function toRecord(row: MessageRow): MessageRecord {
  return recordFromRow(row, rowFlags(row));
}
