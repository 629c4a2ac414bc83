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
  /** True once the listener heard 'gone': from then on it hears nothing (store/types.ts, 'gone'). */
  #silenced = false;
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
   * Wrap a change listener so that a 'gone' record marks the mailbox gone before the listener hears it
   * (the listener may then call the Mailbox and must get 'expired'), and so that 'gone' is the last record
   * it ever hears: the listener is unregistered and anything still addressed to it is dropped. A renamed
   * mailbox keeps its identity in the store, so without this its old listeners would go on hearing it.
   * Nothing reaches it after close() either.
   */
  watch(onChange: (change: MailboxChange) => void): (change: MailboxChange) => void {
    return (change) => {
      if (this.#silenced || this.#state === 'closed') return;
      if (change.type === 'gone') {
        this.markGone();
        this.#silence();
      }
      onChange(change);
    };
  }

  /** The mailbox no longer exists as it was opened (a closed one stays closed). */
  markGone(): void {
    if (this.#state !== 'closed') this.#state = 'gone';
  }

  /**
   * The store lost track of changes (a gap in a cross-process feed): the mailbox becomes gone and its
   * listener hears a 'gone' record, once, after being unregistered: as for any 'gone', nothing more is
   * delivered (store/types.ts). Nothing happens to a closed mailbox or one whose listener already heard 'gone'.
   */
  gap(): void {
    if (this.#silenced || this.#state === 'closed') return;
    this.markGone();
    this.#silence();
    deliverGone(this.#onChange);
  }

  #silence(): void {
    this.#silenced = true;
    this.#unsubscribe();
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
