/**
 * In-process change feed shared by the memory and SQLite stores (DESIGN.md section 3, "Change feed").
 *
 * Listeners register per (account, mailbox id). `publish` delivers synchronously, so a store that publishes
 * before resolving a mutation keeps the contract rule "change records are delivered before the promise
 * resolves" (store/types.ts). Delivery is in publish order for every listener, even when a listener
 * publishes from inside its callback: such nested records are queued and delivered after the current one.
 * A listener that throws never breaks the other listeners or the publisher: its error is counted and handed
 * to the optional `onListenerError` callback (the hub itself never logs).
 */
import type { MailboxChange } from './types.ts';

/** A change feed listener: the `onChange` of an opened mailbox. */
export type ChangeListener = (change: MailboxChange) => void;

/** Options for `new ChangeHub()`. */
export interface ChangeHubOptions {
  /** Called with the error a listener threw; errors thrown by this callback are swallowed too. */
  readonly onListenerError?: (error: unknown, account: string, mailboxId: string, change: MailboxChange) => void;
}

interface Pending {
  readonly listeners: readonly ChangeListener[];
  readonly account: string;
  readonly mailboxId: string;
  readonly change: MailboxChange;
}

/** Per (account, mailbox id) listener sets with synchronous, ordered, failure-isolated delivery. */
export class ChangeHub {
  readonly #byAccount = new Map<string, Map<string, Set<ChangeListener>>>();
  readonly #onListenerError: ChangeHubOptions['onListenerError'];
  readonly #queue: Pending[] = [];
  #delivering = false;
  #listenerErrors = 0;

  constructor(options: ChangeHubOptions = {}) {
    this.#onListenerError = options.onListenerError;
  }

  /** Number of listener calls that threw since the hub was created. */
  get listenerErrors(): number {
    return this.#listenerErrors;
  }

  /**
   * Register a listener for one mailbox of one account. Returns the unsubscribe function (idempotent).
   * Registering the same function twice registers it once.
   */
  subscribe(account: string, mailboxId: string, listener: ChangeListener): () => void {
    let mailboxes = this.#byAccount.get(account);
    if (!mailboxes) {
      mailboxes = new Map();
      this.#byAccount.set(account, mailboxes);
    }
    let set = mailboxes.get(mailboxId);
    if (!set) {
      set = new Set();
      mailboxes.set(mailboxId, set);
    }
    set.add(listener);
    return () => this.#remove(account, mailboxId, listener);
  }

  /** Number of listeners registered for a mailbox. */
  listenerCount(account: string, mailboxId: string): number {
    return this.#byAccount.get(account)?.get(mailboxId)?.size ?? 0;
  }

  /**
   * Deliver a change to every listener of the mailbox registered at the moment of the call, in registration
   * order. Returns once the change (and any change published by listeners meanwhile) has been delivered.
   */
  publish(account: string, mailboxId: string, change: MailboxChange): void {
    const set = this.#byAccount.get(account)?.get(mailboxId);
    if (!set || set.size === 0) return;
    // Snapshot the listeners now: one that subscribes later must not see a change made before it subscribed.
    this.#queue.push({ listeners: [...set], account, mailboxId, change });
    if (this.#delivering) return; // the outer publish drains the queue, keeping global order
    this.#delivering = true;
    try {
      for (let item = this.#queue.shift(); item; item = this.#queue.shift()) this.#deliver(item);
    } finally {
      this.#delivering = false;
    }
  }

  /** Drop every listener of one mailbox (after the mailbox is gone) without notifying them. */
  clearMailbox(account: string, mailboxId: string): void {
    const mailboxes = this.#byAccount.get(account);
    if (!mailboxes) return;
    mailboxes.delete(mailboxId);
    if (mailboxes.size === 0) this.#byAccount.delete(account);
  }

  /** Drop every listener of one account (after the account is deleted). */
  clearAccount(account: string): void {
    this.#byAccount.delete(account);
  }

  #deliver(item: Pending): void {
    const live = this.#byAccount.get(item.account)?.get(item.mailboxId);
    for (const listener of item.listeners) {
      // A listener removed by an earlier listener of this same delivery must not be called any more.
      if (!live?.has(listener)) continue;
      try {
        listener(item.change);
      } catch (error) {
        this.#listenerErrors++;
        try {
          this.#onListenerError?.(error, item.account, item.mailboxId, item.change);
        } catch {
          // The error reporter failing must not break delivery either.
        }
      }
    }
  }

  #remove(account: string, mailboxId: string, listener: ChangeListener): void {
    const mailboxes = this.#byAccount.get(account);
    const set = mailboxes?.get(mailboxId);
    if (!mailboxes || !set) return;
    set.delete(listener);
    if (set.size === 0) mailboxes.delete(mailboxId);
    if (mailboxes.size === 0) this.#byAccount.delete(account);
  }
}
