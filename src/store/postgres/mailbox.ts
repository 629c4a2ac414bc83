/**
 * An opened mailbox of the PostgreSQL store: the contract's Mailbox, with MOVE and the expunge log.
 *
 * Parallel to sqlite/mailbox.ts on purpose: the two run the same algorithms, whose storage-neutral parts are in
 * shared/ (flags, STORE planning, lifecycle, counters, rows, prefilter); what is left is I/O, which differs in
 * kind (here awaited statements under row locks, batched per page; there synchronous statements inside
 * one IMMEDIATE transaction), so the classes are not merged behind a query abstraction.
 */
import { compileSearch } from '../../search/index.ts';
import type { SearchQuery } from '../../search/types.ts';
import { normalizeMailboxName } from '../../core/mailbox-name.ts';
import { StoreError } from '../errors.ts';
import { planFlagChange } from '../shared/flag-change.ts';
import { flagBits, storableFlags } from '../shared/flags.ts';
import { MailboxLifecycle, assertWritable } from '../shared/mailbox-lifecycle.ts';
import { checkUidSpace } from '../shared/limits.ts';
import { countMessages } from '../shared/message-counts.ts';
import { prefilter } from '../shared/sql-prefilter.ts';
import { MESSAGE_COLUMNS, recordFromRow } from '../shared/sql-rows.ts';
import { decodeStoredMeta } from '../shared/stored-meta.ts';
import { denseSpan, pages, sortedUniqueUids as sortedUnique, uidsToRemove } from '../shared/uid-lists.ts';
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
import type { PoolClient } from 'pg';
import { chunkedBody, readChunks } from './contents.ts';
import { one, rows } from './db.ts';
import type { GapListener } from './feed.ts';
import type { PgMailboxRow, PgMessageRow, PgStore, WriteTx } from './store.ts';
import type { PgAccount } from './user.ts';

/** UIDs per statement for fetch and flag updates: bounded statement work per call, as callers page too. */
export const PG_UID_PAGE = 1000;

/** Messages read per SEARCH page: bounded memory per page, and the event loop runs between pages. */
export const PG_SEARCH_PAGE = 1000;

/** Per-message flag columns derived from a flag list (the list itself is a text[] column: no encoding). */
export const flagColumns = flagBits;

/** The PostgreSQL store's opened mailbox. */
export class PgMailbox implements MovableMailbox, ExpungeLogMailbox, GapListener {
  readonly #store: PgStore;
  readonly #account: PgAccount;
  readonly #id: number;
  readonly #uidValidity: number;
  readonly #onClosed: (m: PgMailbox) => void;
  readonly #life = new MailboxLifecycle();

  constructor(
    store: PgStore,
    account: PgAccount,
    row: PgMailboxRow,
    readonly info: MailboxInfo,
    readonly snapshot: MailboxSnapshot,
    readonly readOnly: boolean,
    onClosed: (m: PgMailbox) => void,
  ) {
    this.#store = store;
    this.#account = account;
    this.#id = row.id;
    this.#uidValidity = row.uid_validity;
    this.#onClosed = onClosed;
  }

  /** Register the listener: called by openMailbox right after the snapshot, in the account's queue. */
  listen(onChange: (change: MailboxChange) => void): void {
    this.#life.listen((listener) => this.#store.feed.hub.subscribe(this.#account.name, String(this.#id), listener), onChange);
  }

  /**
   * Records of the cross-node feed are missing (pruned while this node was cut off): this mailbox's view
   * can no longer be kept exact, so the session must drop it.
   */
  onGap(): void {
    this.#life.gap();
  }

  async fetch(uids: readonly number[], options?: { meta?: boolean }): Promise<MessageRecord[]> {
    this.#check();
    const out: MessageRecord[] = [];
    const withMeta = options?.meta === true;
    for (const page of pages(sortedUnique(uids), PG_UID_PAGE)) {
      // A dense page (FETCH 1:*) is one range scan of the primary key; a sparse one a lookup per UID.
      const span = denseSpan(page);
      let found = await rows<PgMessageRow & { meta?: Buffer }>(
        this.#store.pool,
        `SELECT ${MESSAGE_COLUMNS}${withMeta ? ', c.meta' : ''} FROM messages m JOIN contents c ON c.id = m.content_id
          WHERE m.mailbox_id = $1 AND ${span ? 'm.uid BETWEEN $2 AND $3' : 'm.uid = ANY($2::bigint[])'} ORDER BY m.uid`,
        span ? [this.#id, span.first, span.last] : [this.#id, page],
      );
      if (span && !span.exact) {
        const asked = new Set(page);
        found = found.filter((row) => asked.has(row.uid));
      }
      for (const row of found) {
        if (!withMeta) {
          out.push(toRecord(row));
          continue;
        }
        // No promise per message on the common path: only an unreadable record waits for a rebuild.
        const meta = decodeStoredMeta(row.meta!) ?? (await this.#store.rebuildMeta(row.content_id, row.size));
        out.push({ ...toRecord(row), meta });
      }
    }
    return out;
  }

  async body(uid: number): Promise<MessageBody> {
    this.#check();
    const row = await one<{ content_id: number; size: number }>(
      this.#store.pool,
      'SELECT content_id, size FROM messages WHERE mailbox_id = $1 AND uid = $2',
      [this.#id, uid],
    );
    if (!row) throw new StoreError('notFound', 'message has been expunged');
    return chunkedBody(this.#store.pool, row.content_id, row.size, () => this.#store.open);
  }

  async search(query: SearchQuery): Promise<number[]> {
    this.#check();
    // One clock for the SQL prefilter and the evaluator, so WITHIN (RFC 5032) agrees between the two.
    const now = new Date();
    const compiled = compileSearch(query, { now });
    // The statement's own parameters are $1 and $2: the condition's are numbered after them.
    const cond = prefilter(query, now.getTime(), { kind: 'numbered', first: 3 }, 'textArray');
    const sql =
      `SELECT ${MESSAGE_COLUMNS}${compiled.needsMeta ? ', c.meta' : ''} FROM messages m JOIN contents c ON c.id = m.content_id
        WHERE m.mailbox_id = $1 AND m.uid > $2` +
      (cond ? ` AND (${cond.sql})` : '') +
      ` ORDER BY m.uid LIMIT ${PG_SEARCH_PAGE}`;
    const out: number[] = [];
    let after = 0;
    for (;;) {
      this.#check();
      const found = await rows<PgMessageRow & { meta?: Buffer }>(this.#store.pool, sql, [this.#id, after, ...(cond?.params ?? [])]);
      for (const row of found) {
        let body: Buffer | undefined;
        if (compiled.needsBody) {
          try {
            body = await readChunks(this.#store.pool, row.content_id, 0, row.size);
          } catch (err) {
            if (err instanceof StoreError && err.kind === 'notFound') continue; // expunged meanwhile
            throw err;
          }
        }
        const match = compiled.match({
          ...recordFromRow(row, row.flags),
          meta: row.meta ? (decodeStoredMeta(row.meta) ?? (await this.#store.rebuildMeta(row.content_id, row.size))) : undefined,
          body,
        });
        if (match) out.push(row.uid);
      }
      if (found.length < PG_SEARCH_PAGE) break;
      after = found[found.length - 1].uid;
    }
    return out;
  }

  async storeFlags(uids: readonly number[], change: FlagChange): Promise<StoreFlagsResult> {
    this.#checkWritable();
    const flags = storableFlags(change.flags);
    const wanted = sortedUnique(uids);
    return this.#store.write(this.#account.name, async (tx) => {
      const box = await this.#lock(tx.client);
      const modified: number[] = [];
      const pending: { uid: number; flags: string[]; before: string[] }[] = [];
      for (const page of pages(wanted, PG_UID_PAGE)) {
        for (const row of await this.#messages(tx.client, page)) {
          const next = planFlagChange(row.flags, row.modseq, change, flags);
          if (next === 'modified') modified.push(row.uid);
          else if (next) pending.push({ uid: row.uid, flags: next, before: row.flags });
        }
      }
      const updated: FlagUpdate[] = [];
      if (pending.length === 0) return { updated, modified };
      const grown = await this.#store.growKeywords(tx.client, this.#id, pending.map((p) => p.flags));
      if (grown) await tx.emit(this.#id, { type: 'keywords', keywords: grown, origin: this });
      const modseq = box.highest_modseq + 1;
      let unseen = 0;
      let deleted = 0;
      for (const p of pending) {
        const next = flagColumns(p.flags);
        const prev = flagColumns(p.before);
        unseen += prev.seen - next.seen;
        deleted += next.deleted - prev.deleted;
        updated.push({ uid: p.uid, flags: p.flags, modseq });
      }
      // One statement per page: the new flag lists travel as a JSON array beside the UIDs.
      for (const page of pages(pending, PG_UID_PAGE)) {
        await rows(
          tx.client,
          `UPDATE messages m SET flags = ARRAY(SELECT jsonb_array_elements_text(u.flags)), seen = u.seen, deleted = u.deleted, modseq = $2
             FROM jsonb_to_recordset($3::jsonb) AS u(uid bigint, flags jsonb, seen smallint, deleted smallint)
            WHERE m.mailbox_id = $1 AND m.uid = u.uid`,
          [this.#id, modseq, JSON.stringify(page.map((p) => ({ uid: p.uid, flags: p.flags, ...flagColumns(p.flags) })))],
        );
      }
      await rows(
        tx.client,
        'UPDATE mailboxes SET highest_modseq = $1, unseen = unseen + $2, deleted = deleted + $3 WHERE id = $4',
        [modseq, unseen, deleted, this.#id],
      );
      await tx.emit(this.#id, { type: 'flags', updates: updated, origin: this });
      return { updated: updated.map((u) => ({ ...u, flags: [...u.flags] })), modified };
    });
  }

  async copy(uids: readonly number[], destination: string): Promise<CopyResult> {
    this.#check();
    return this.#store.write(this.#account.name, (tx) => this.#copy(tx, uids, destination, false));
  }

  async move(uids: readonly number[], destination: string): Promise<CopyResult> {
    this.#checkWritable();
    return this.#store.write(this.#account.name, (tx) => this.#copy(tx, uids, destination, true));
  }

  async expunge(uids?: readonly number[]): Promise<number[]> {
    this.#checkWritable();
    const only = uids === undefined ? null : new Set(uids);
    return this.#store.write(this.#account.name, async (tx) => {
      const box = await this.#lock(tx.client);
      const doomed = (
        await rows<PgMessageRow>(
          tx.client,
          `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN contents c ON c.id = m.content_id
            WHERE m.mailbox_id = $1 AND m.deleted = 1 ORDER BY m.uid`,
          [this.#id],
        )
      ).filter((r) => only === null || only.has(r.uid));
      return this.#expungeRows(tx, box, doomed);
    });
  }

  async remove(uids: readonly number[]): Promise<number[]> {
    this.#checkWritable();
    const wanted = uidsToRemove(uids);
    return this.#store.write(this.#account.name, async (tx) => {
      const box = await this.#lock(tx.client);
      const found: PgMessageRow[] = [];
      for (const page of pages(wanted, PG_UID_PAGE)) found.push(...(await this.#messages(tx.client, page)));
      if (found.length !== wanted.length) {
        const have = new Set(found.map((r) => r.uid));
        throw new StoreError('notFound', `no message with UID ${wanted.filter((u) => !have.has(u)).join(',')}`);
      }
      return this.#expungeRows(tx, box, found);
    });
  }

  async expungedSince(modseq: number): Promise<number[]> {
    this.#check();
    const found = await rows<{ uid: number }>(
      this.#store.pool,
      'SELECT uid FROM expunged WHERE mailbox_id = $1 AND modseq > $2 ORDER BY uid',
      [this.#id, modseq],
    );
    return found.map((r) => r.uid);
  }

  close(): Promise<void> {
    if (this.#life.close()) {
      this.#store.feed.untrack(this.#id, this);
      this.#onClosed(this);
    }
    return Promise.resolve();
  }

  /** Existing messages among `uids` (one page), ascending. */
  #messages(client: PoolClient, uids: readonly number[]): Promise<PgMessageRow[]> {
    return rows<PgMessageRow>(
      client,
      `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN contents c ON c.id = m.content_id
        WHERE m.mailbox_id = $1 AND m.uid = ANY($2::bigint[]) ORDER BY m.uid`,
      [this.#id, uids],
    );
  }

  /** Remove rows (ascending UIDs) of the locked mailbox: one mutation with one new MODSEQ, logged for QRESYNC. */
  async #expungeRows(tx: WriteTx, box: PgMailboxRow, found: readonly PgMessageRow[]): Promise<number[]> {
    if (found.length === 0) return [];
    const modseq = box.highest_modseq + 1;
    const uids = found.map((r) => r.uid);
    const gone = countMessages(found);
    await rows(tx.client, 'DELETE FROM messages WHERE mailbox_id = $1 AND uid = ANY($2::bigint[])', [this.#id, uids]);
    await rows(
      tx.client,
      `INSERT INTO expunged (mailbox_id, uid, modseq) SELECT $1, unnest($2::bigint[]), $3
       ON CONFLICT (mailbox_id, uid) DO UPDATE SET modseq = EXCLUDED.modseq`,
      [this.#id, uids, modseq],
    );
    await rows(
      tx.client,
      `UPDATE mailboxes SET highest_modseq = $1, messages = messages - $2, unseen = unseen - $3, deleted = deleted - $4,
              size = size - $5 WHERE id = $6`,
      [modseq, gone.messages, gone.unseen, gone.deleted, gone.size, this.#id],
    );
    await this.#store.collectContents(tx.client, found.map((r) => r.content_id));
    await tx.emit(this.#id, { type: 'expunge', uids, modseq, origin: this });
    return [...uids];
  }

  /** Copy existing UIDs (ascending) to `destination`, sharing the stored bytes; MOVE also expunges here. */
  async #copy(tx: WriteTx, uids: readonly number[], destination: string, expunge: boolean): Promise<CopyResult> {
    const target = await one<{ id: number }>(tx.client, 'SELECT id FROM mailboxes WHERE account_id = $1 AND name = $2', [
      this.#account.id,
      normalizeMailboxName(destination),
    ]);
    // Both rows locked in id order (store.lockByIds), whichever is source or destination.
    const locked = await this.#store.lockByIds(tx.client, target ? [this.#id, target.id] : [this.#id]);
    const box = this.#valid(locked.get(this.#id));
    const dest = target ? locked.get(target.id) : undefined;
    if (!dest) throw new StoreError('notFound', 'destination mailbox does not exist');
    const found: PgMessageRow[] = [];
    for (const page of pages(sortedUnique(uids), PG_UID_PAGE)) found.push(...(await this.#messages(tx.client, page)));
    if (found.length === 0) return { uidValidity: dest.uid_validity, sourceUids: [], destinationUids: [] };
    checkUidSpace(dest.uid_next, found.length);
    const grown = await this.#store.growKeywords(tx.client, dest.id, found.map((r) => r.flags));
    if (grown) await tx.emit(dest.id, { type: 'keywords', keywords: grown, origin: this });
    // RFC 3501 6.4.7 / RFC 8474: the copy keeps flags, internal date and EMAILID; it is a new mutation of
    // the destination (new MODSEQ) with a new SAVEDATE (RFC 8514).
    const modseq = (dest.id === box.id ? box.highest_modseq : dest.highest_modseq) + 1;
    const now = Date.now();
    const destinationUids = found.map((_, i) => dest.uid_next + i);
    const n = countMessages(found);
    for (const [p, page] of pages(found, PG_UID_PAGE).entries()) {
      await rows(
        tx.client,
        `INSERT INTO messages (mailbox_id, uid, content_id, flags, seen, deleted, modseq, internal_date, save_date, size)
         SELECT $1, n.uid, m.content_id, m.flags, m.seen, m.deleted, $2, m.internal_date, $3, m.size
           FROM unnest($4::bigint[], $5::bigint[]) AS n(src, uid)
           JOIN messages m ON m.mailbox_id = $6 AND m.uid = n.src`,
        [dest.id, modseq, now, page.map((r) => r.uid), destinationUids.slice(p * PG_UID_PAGE, p * PG_UID_PAGE + page.length), this.#id],
      );
    }
    await rows(
      tx.client,
      `UPDATE mailboxes SET uid_next = $1, highest_modseq = $2, messages = messages + $3, unseen = unseen + $4,
              deleted = deleted + $5, size = size + $6 WHERE id = $7`,
      [dest.uid_next + found.length, modseq, n.messages, n.unseen, n.deleted, n.size, dest.id],
    );
    await tx.emit(dest.id, { type: 'append', uids: [...destinationUids], modseq, origin: this });
    const sourceUids = found.map((r) => r.uid);
    if (expunge) {
      // Re-read the source row: copying into this same mailbox moved its counters.
      const again = await this.#lock(tx.client);
      await this.#expungeRows(tx, again, found);
    }
    return { uidValidity: dest.uid_validity, sourceUids, destinationUids };
  }

  /** Lock this mailbox's row, or 'expired' when the mailbox was deleted or re-created under us. */
  async #lock(client: PoolClient): Promise<PgMailboxRow> {
    this.#check();
    const locked = await this.#store.lockByIds(client, [this.#id]);
    return this.#valid(locked.get(this.#id));
  }

  #valid(row: PgMailboxRow | undefined): PgMailboxRow {
    if (!row || row.uid_validity !== this.#uidValidity) throw this.#life.expire();
    return row;
  }

  #check(): void {
    this.#life.check();
    this.#store.check();
  }

  #checkWritable(): void {
    this.#check();
    assertWritable(this.readOnly);
  }
}

function toRecord(row: PgMessageRow): MessageRecord {
  return recordFromRow(row, [...row.flags]);
}
