/**
 * The memory store's data and the mutations every entry point shares (User.append, Mailbox.copy/move,
 * expunge, INBOX rename). Every mutation validates first and commits synchronously, with no await between
 * the check and the commit: that is what makes it all-or-nothing and keeps parallel calls from seeing
 * half-done state. Change records are published through the hub right after the commit, so they reach
 * listeners before the caller's promise resolves (store/types.ts).
 */
import type { ChangeHub } from '../change-hub.ts';
import { StoreError } from '../errors.ts';
import type { MessageMeta } from '../../message/types.ts';
import type { Mailbox, MailboxInfo, SpecialUse } from '../types.ts';
import { addedKeywords } from '../shared/flags.ts';
import { checkUidSpace } from '../shared/limits.ts';
import { newObjectId, ownThreadId } from '../shared/object-ids.ts';
import { MAX_MESSAGES_PER_MAILBOX } from './limits.ts';

/** One stored message. `content` and `meta` are never mutated after the append, so copies share them. */
export interface StoredMessage {
  readonly uid: number;
  flags: readonly string[];
  modseq: number;
  readonly internalDate: Date;
  readonly saveDate: Date;
  readonly content: Buffer;
  readonly meta: MessageMeta;
  readonly emailId: string;
  readonly threadId: string;
}

/** A message ready to be appended: flags already validated. */
export interface PreparedMessage {
  readonly content: Buffer;
  readonly flags: readonly string[];
  readonly internalDate: Date;
  readonly meta: MessageMeta;
  /** Kept by COPY/MOVE (RFC 8474 section 5.1: a copy has the same EMAILID); fresh for APPEND. */
  readonly emailId?: string;
  readonly threadId?: string;
}

/** One expunged UID and the MODSEQ of the expunge (for QRESYNC VANISHED). */
export interface ExpungeEntry {
  readonly uid: number;
  readonly modseq: number;
}

/** A mailbox's state. The object's identity is the mailbox's identity: it survives renames. */
export class MailboxState {
  name: string;
  uidNext = 1;
  /** RFC 7162: mod-sequences are positive; a new mailbox starts at 1 and each mutation adds one. */
  highestModseq = 1;
  /** By UID. Insertion order is ascending UID order, since UIDs only grow and are inserted in order. */
  readonly messages = new Map<number, StoredMessage>();
  keywords: string[] = [];
  readonly expunged: ExpungeEntry[] = [];
  deleted = false;

  constructor(
    readonly id: string,
    name: string,
    readonly uidValidity: number,
    readonly specialUse: readonly SpecialUse[],
  ) {
    this.name = name;
  }
}

/** Credentials: plaintext from `createMemoryBackend({users})`, or a hash from AccountAdmin. */
export type Credential = { readonly kind: 'plain'; readonly password: string } | { readonly kind: 'hash'; readonly hash: string };

/** One account's mail. */
export class AccountState {
  readonly mailboxes = new Map<string, MailboxState>();
  readonly subscriptions = new Set<string>();
  deleted = false;

  constructor(
    readonly name: string,
    public credential: Credential,
  ) {}
}

/** Id allocation and the change hub, shared by every account of one backend. */
export class StoreContext {
  #lastUidValidity = 0;

  constructor(readonly hub: ChangeHub) {}

  /**
   * A fresh UIDVALIDITY: seconds since the epoch (as Dovecot does), but strictly above every value handed
   * out before, so that a mailbox deleted and re-created in the same second still gets a new one
   * (RFC 3501 section 2.3.1.1).
   */
  nextUidValidity(): number {
    this.#lastUidValidity = Math.max(this.#lastUidValidity + 1, Math.floor(Date.now() / 1000));
    return this.#lastUidValidity;
  }

  /** Create a mailbox state (not yet linked to an account). */
  newMailbox(name: string, specialUse: readonly SpecialUse[] = []): MailboxState {
    return new MailboxState(newObjectId('F'), name, this.nextUidValidity(), specialUse);
  }

  /** The LIST view of a mailbox. */
  info(account: AccountState, box: MailboxState): MailboxInfo {
    return { name: box.name, id: box.id, specialUse: [...box.specialUse], subscribed: account.subscriptions.has(box.name) };
  }

  /** Keywords the mailbox would have after adding these flags; throws 'invalid' past the cap. */
  grownKeywords(box: MailboxState, flagLists: Iterable<readonly string[]>): string[] | null {
    const added = addedKeywords(box.keywords, flagLists);
    return added.length > 0 ? [...box.keywords, ...added] : null;
  }

  /** Check that `count` more messages fit in the mailbox (UID space and message cap). */
  checkRoom(box: MailboxState, count: number): void {
    checkUidSpace(box.uidNext, count);
    if (box.messages.size + count > MAX_MESSAGES_PER_MAILBOX) {
      throw new StoreError('overQuota', `mailbox is full (limit ${MAX_MESSAGES_PER_MAILBOX} messages)`);
    }
  }

  /** Commit a grown keyword list and publish its 'keywords' record (before the record of the change itself). */
  commitKeywords(account: AccountState, box: MailboxState, grown: string[] | null, origin: Mailbox | undefined): void {
    if (!grown) return;
    box.keywords = grown;
    this.hub.publish(account.name, box.id, { type: 'keywords', keywords: [...grown], origin });
  }

  /**
   * Append prepared messages all or nothing: one mutation, one new MODSEQ stamped on every new message.
   * Returns the new UIDs in input order.
   */
  append(account: AccountState, box: MailboxState, messages: readonly PreparedMessage[], origin?: Mailbox): number[] {
    if (messages.length === 0) return [];
    this.checkRoom(box, messages.length);
    const grown = this.grownKeywords(box, messages.map((m) => m.flags));
    // Nothing below throws: the commit is complete or never started.
    const modseq = ++box.highestModseq;
    const saveDate = new Date();
    const uids: number[] = [];
    for (const m of messages) {
      const uid = box.uidNext++;
      const emailId = m.emailId ?? newObjectId('M');
      box.messages.set(uid, {
        uid,
        flags: [...m.flags],
        modseq,
        internalDate: m.internalDate,
        saveDate,
        content: m.content,
        meta: m.meta,
        emailId,
        // No threading: each message is its own thread (RFC 8474 allows a THREADID per message).
        threadId: m.threadId ?? ownThreadId(emailId),
      });
      uids.push(uid);
    }
    // Records go out once the state is whole: a listener reading the mailbox never sees half a commit.
    this.commitKeywords(account, box, grown, origin);
    this.hub.publish(account.name, box.id, { type: 'append', uids: [...uids], modseq, origin });
    return uids;
  }

  /** Remove messages (UIDs that exist, ascending): one mutation, logged for QRESYNC. */
  expunge(account: AccountState, box: MailboxState, uids: readonly number[], origin?: Mailbox): number[] {
    if (uids.length === 0) return [];
    const modseq = ++box.highestModseq;
    for (const uid of uids) {
      box.messages.delete(uid);
      box.expunged.push({ uid, modseq });
    }
    this.hub.publish(account.name, box.id, { type: 'expunge', uids: [...uids], modseq, origin });
    return [...uids];
  }

  /** Mark a mailbox deleted (or renamed away): its opened Mailboxes get 'gone' and lose their listeners. */
  gone(account: AccountState, box: MailboxState): void {
    this.hub.publish(account.name, box.id, { type: 'gone' });
    this.hub.clearMailbox(account.name, box.id);
  }
}
