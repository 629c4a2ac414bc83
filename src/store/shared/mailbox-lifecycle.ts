/**
 * The life of an opened Mailbox, the same in every store: open until the session closes it, or gone when
 * the mailbox was deleted, renamed away, re-created (new UIDVALIDITY) or its change feed broke. Calls on a
 * closed or gone Mailbox fail with StoreError 'expired' (store/types.ts: the session must drop it).
 */
import { StoreError } from '../errors.ts';
import type { MailboxChange } from '../types.ts';

/** A change listener as a change hub takes it. */
type Listener = (change: MailboxChange) => void;

/**
 * The state of one opened Mailbox and its change listener; each store adds its own checks (store closed,
 * rows gone) around it.
 */
export class MailboxLifecycle {
  #state: 'open' | 'gone' | 'closed' = 'open';
  #onChange: Listener = () => {};
  #unsubscribe: () => void = () => {};

  /**
   * Register the session's listener through `subscribe` (a change hub's subscribe, bound to this
   * mailbox), wrapped by watch(). Call it in the same synchronous step as the snapshot is taken, so that no
   * record falls between the two.
   */
  listen(subscribe: (listener: Listener) => () => void, onChange: Listener): void {
    this.#onChange = onChange;
    this.#unsubscribe = subscribe(this.watch(onChange));
  }

  /** Stop delivering records to the listener. */
  unlisten(): void {
    this.#unsubscribe();
  }

  /** True until the mailbox is gone or closed. */
  get isOpen(): boolean {
    return this.#state === 'open';
  }

  /**
   * Wrap a change listener so that a 'gone' record marks the mailbox gone before the listener hears it:
   * the listener may then call the Mailbox and must get 'expired'.
   */
  watch(onChange: (change: MailboxChange) => void): (change: MailboxChange) => void {
    return (change) => {
      if (change.type === 'gone') this.markGone();
      onChange(change);
    };
  }

  /** The mailbox no longer exists as it was opened (a closed one stays closed). */
  markGone(): void {
    if (this.#state !== 'closed') this.#state = 'gone';
  }

  /**
   * The store lost track of changes (a gap in a cross-process feed): an open mailbox becomes gone and its
   * listener hears a 'gone' record, once. With `dropListener`, the listener is unregistered first, else it
   * stays registered until close().
   */
  gap(dropListener: boolean): void {
    if (this.#state !== 'open') return;
    this.#state = 'gone';
    if (dropListener) this.#unsubscribe();
    deliverGone(this.#onChange);
  }

  /** Mark closed and unregister the listener; true the first time only, so that close() releases once. */
  close(): boolean {
    if (this.#state === 'closed') return false;
    this.#state = 'closed';
    this.#unsubscribe();
    return true;
  }

  /** StoreError 'expired' when the mailbox is closed or gone. */
  check(): void {
    if (this.#state === 'closed') throw new StoreError('expired', 'mailbox is closed');
    if (this.#state === 'gone') throw gone();
  }

  /** Mark gone and return the error to throw (a store found the mailbox's row missing or re-created). */
  expire(): StoreError {
    this.markGone();
    return gone();
  }
}

function gone(): StoreError {
  return new StoreError('expired', 'mailbox was deleted or renamed');
}

/** StoreError 'noPermission' for a mutation of a mailbox opened read-only (EXAMINE). */
export function assertWritable(readOnly: boolean): void {
  if (readOnly) throw new StoreError('noPermission', 'mailbox is open read-only');
}

/**
 * Tell a listener its mailbox is gone, outside the change hub (which has the same rule): a throwing
 * listener breaks neither the store nor other listeners.
 */
export function deliverGone(onChange: (change: MailboxChange) => void): void {
  try {
    onChange({ type: 'gone' });
  } catch {
    // Deliberately ignored, as the hub does.
  }
}
