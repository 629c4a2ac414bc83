/** An opened mailbox of the memory store: the contract's Mailbox, with MOVE and the expunge log. */
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
import type { SearchQuery } from '../../search/types.ts';
import { compileSearch } from '../../search/index.ts';
import { hasFlag } from '../../core/flags.ts';
import { normalizeMailboxName } from '../../core/mailbox-name.ts';
import { planFlagChange } from '../shared/flag-change.ts';
import { storableFlags } from '../shared/flags.ts';
import { MailboxLifecycle, assertWritable } from '../shared/mailbox-lifecycle.ts';
import { settle } from '../shared/settle.ts';
import { sortedUniqueUids as sortedUnique, uidsToRemove } from '../shared/uid-lists.ts';
import { bufferBody } from './body.ts';
import type { AccountState, MailboxState, StoreContext, StoredMessage } from './state.ts';

/** The memory store's opened mailbox. */
export class MemoryMailbox implements MovableMailbox, ExpungeLogMailbox {
  readonly info: MailboxInfo;
  readonly snapshot: MailboxSnapshot;
  readonly #ctx: StoreContext;
  readonly #account: AccountState;
  readonly #box: MailboxState;
  readonly #onClosed: (m: MemoryMailbox) => void;
  readonly #life = new MailboxLifecycle();

  constructor(
    ctx: StoreContext,
    account: AccountState,
    box: MailboxState,
    readonly readOnly: boolean,
    onChange: (change: MailboxChange) => void,
    onClosed: (m: MemoryMailbox) => void,
  ) {
    this.#ctx = ctx;
    this.#account = account;
    this.#box = box;
    this.#onClosed = onClosed;
    this.info = ctx.info(account, box);
    let firstUnseenUid: number | null = null;
    for (const m of box.messages.values()) {
      if (!hasFlag(m.flags, '\\Seen')) {
        firstUnseenUid = m.uid;
        break;
      }
    }
    this.snapshot = {
      uidValidity: box.uidValidity,
      uidNext: box.uidNext,
      highestModseq: box.highestModseq,
      uids: [...box.messages.keys()],
      keywords: [...box.keywords],
      firstUnseenUid,
    };
    // Subscribed in the same synchronous step as the snapshot: no change can fall between the two.
    this.#life.listen((listener) => ctx.hub.subscribe(account.name, box.id, listener), onChange);
  }

  fetch(uids: readonly number[], options?: { meta?: boolean }): Promise<MessageRecord[]> {
    return settle(() => {
      this.#check();
      const out: MessageRecord[] = [];
      for (const uid of sortedUnique(uids)) {
        const m = this.#box.messages.get(uid);
        if (m) out.push(record(m, options?.meta === true));
      }
      return out;
    });
  }

  body(uid: number): Promise<MessageBody> {
    return settle(() => {
      this.#check();
      const m = this.#box.messages.get(uid);
      if (!m) throw new StoreError('notFound', 'message has been expunged');
      return bufferBody(m.content);
    });
  }

  search(query: SearchQuery): Promise<number[]> {
    return settle(() => {
      this.#check();
      const compiled = compileSearch(query);
      const out: number[] = [];
      for (const m of this.#box.messages.values()) {
        const match = compiled.match({
          uid: m.uid,
          flags: m.flags,
          internalDate: m.internalDate,
          saveDate: m.saveDate,
          size: m.content.length,
          modseq: m.modseq,
          emailId: m.emailId,
          threadId: m.threadId,
          meta: compiled.needsMeta ? m.meta : undefined,
          body: compiled.needsBody ? m.content : undefined,
        });
        if (match) out.push(m.uid);
      }
      return out;
    });
  }

  storeFlags(uids: readonly number[], change: FlagChange): Promise<StoreFlagsResult> {
    return settle(() => {
      this.#checkWritable();
      const flags = storableFlags(change.flags);
      const modified: number[] = [];
      const pending: { m: StoredMessage; flags: string[] }[] = [];
      for (const uid of sortedUnique(uids)) {
        const m = this.#box.messages.get(uid);
        if (!m) continue;
        const next = planFlagChange(m.flags, m.modseq, change, flags);
        if (next === 'modified') modified.push(uid);
        else if (next) pending.push({ m, flags: next });
      }
      const grown = this.#ctx.grownKeywords(this.#box, pending.map((p) => p.flags));
      const updated: FlagUpdate[] = [];
      if (pending.length > 0) {
        const modseq = ++this.#box.highestModseq;
        for (const p of pending) {
          p.m.flags = p.flags;
          p.m.modseq = modseq;
          updated.push({ uid: p.m.uid, flags: [...p.flags], modseq });
        }
        this.#ctx.commitKeywords(this.#account, this.#box, grown, this);
        this.#ctx.hub.publish(this.#account.name, this.#box.id, { type: 'flags', updates: updated, origin: this });
      }
      return { updated: updated.map((u) => ({ ...u, flags: [...u.flags] })), modified };
    });
  }

  copy(uids: readonly number[], destination: string): Promise<CopyResult> {
    return settle(() => {
      this.#check();
      return this.#copy(uids, destination, false);
    });
  }

  move(uids: readonly number[], destination: string): Promise<CopyResult> {
    return settle(() => {
      this.#checkWritable();
      return this.#copy(uids, destination, true);
    });
  }

  expunge(uids?: readonly number[]): Promise<number[]> {
    return settle(() => {
      this.#checkWritable();
      const candidates = uids === undefined ? [...this.#box.messages.keys()] : sortedUnique(uids);
      const doomed = candidates.filter((uid) => {
        const m = this.#box.messages.get(uid);
        return m !== undefined && hasFlag(m.flags, '\\Deleted');
      });
      return this.#ctx.expunge(this.#account, this.#box, doomed, this);
    });
  }

  remove(uids: readonly number[]): Promise<number[]> {
    return settle(() => {
      this.#checkWritable();
      // A value that cannot be a UID is reported missing like any other (uidsToRemove).
      const doomed = uidsToRemove(uids);
      const missing = doomed.filter((uid) => !this.#box.messages.has(uid));
      if (missing.length > 0) throw new StoreError('notFound', `no message with UID ${missing.join(',')}`);
      return this.#ctx.expunge(this.#account, this.#box, doomed, this);
    });
  }

  expungedSince(modseq: number): Promise<number[]> {
    return settle(() => {
      this.#check();
      const out: number[] = [];
      // The log is in MODSEQ order: walk back from the newest entry.
      const log = this.#box.expunged;
      for (let i = log.length - 1; i >= 0 && log[i].modseq > modseq; i--) out.push(log[i].uid);
      return out.sort((a, b) => a - b);
    });
  }

  close(): Promise<void> {
    return settle(() => {
      if (this.#life.close()) this.#onClosed(this);
    });
  }

  /** Copy existing UIDs (ascending) to `destination`; with `expunge`, remove them from here atomically. */
  #copy(uids: readonly number[], destination: string, expunge: boolean): CopyResult {
    const dest = this.#account.mailboxes.get(normalizeMailboxName(destination));
    if (!dest) throw new StoreError('notFound', 'destination mailbox does not exist');
    const sources = sortedUnique(uids)
      .map((uid) => this.#box.messages.get(uid))
      .filter((m): m is StoredMessage => m !== undefined);
    const sourceUids = sources.map((m) => m.uid);
    const destinationUids = this.#ctx.append(
      this.#account,
      dest,
      sources.map((m) => ({
        content: m.content,
        flags: m.flags,
        internalDate: m.internalDate,
        meta: m.meta,
        emailId: m.emailId,
        threadId: m.threadId,
      })),
      this,
    );
    // append() validated and committed; expunge() cannot fail, so MOVE is all or nothing.
    if (expunge) this.#ctx.expunge(this.#account, this.#box, sourceUids, this);
    return { uidValidity: dest.uidValidity, sourceUids, destinationUids };
  }

  #check(): void {
    this.#life.check();
    // Here a deletion is also visible directly on the shared state objects, not only as a 'gone' record.
    if (this.#box.deleted || this.#account.deleted) throw this.#life.expire();
  }

  #checkWritable(): void {
    this.#check();
    assertWritable(this.readOnly);
  }
}

function record(m: StoredMessage, withMeta: boolean): MessageRecord {
  const base = {
    uid: m.uid,
    flags: [...m.flags],
    modseq: m.modseq,
    internalDate: new Date(m.internalDate.getTime()),
    saveDate: new Date(m.saveDate.getTime()),
    size: m.content.length,
    emailId: m.emailId,
    threadId: m.threadId,
  };
  return withMeta ? { ...base, meta: m.meta } : base;
}
