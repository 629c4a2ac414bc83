/** What a backend or a User must close when it closes: the sessions and mailboxes it handed out. */

/**
 * The open objects (Users of a backend, Mailboxes of a User) still to close. An object leaves the set by
 * itself when closed (its owner passes `delete` as its on-closed callback); closeAll() closes the rest.
 */
export class OpenSet<T extends { close(): Promise<void> }> {
  readonly #items = new Set<T>();

  /** Track `item`; returns it. */
  add(item: T): T {
    this.#items.add(item);
    return item;
  }

  /** Forget `item` (it closed by itself). */
  delete(item: T): void {
    this.#items.delete(item);
  }

  /** Close everything still open, one after the other (a close may wait for the store), then forget all. */
  async closeAll(): Promise<void> {
    for (const item of [...this.#items]) await item.close();
    this.#items.clear();
  }
}
