/**
 * The SQLite store's THREADID index (table `threads`): which keys a message is filed under, and the rule,
 * are in shared/thread-keys.ts, shared with the PostgreSQL store; the lookup-and-file step is SQLite's own.
 */
import type { Statement, Database as Db } from 'better-sqlite3';
import type { MessageMeta } from '../../message/types.ts';
import { threadLookupKeys } from '../shared/thread-keys.ts';

/** The per-account thread index (table `threads`, schema version 3). */
export class ThreadIndex {
  readonly #find: Statement<[number, string], { thread_id: string }>;
  readonly #insert: Statement<[number, string, string]>;
  readonly #deleteAccount: Statement<[number]>;

  constructor(db: Db) {
    this.#find = db.prepare(
      'SELECT thread_id FROM threads WHERE account_id = ? AND message_id IN (SELECT value FROM json_each(?)) LIMIT 1',
    );
    this.#insert = db.prepare('INSERT OR IGNORE INTO threads (account_id, message_id, thread_id) VALUES (?, ?, ?)');
    this.#deleteAccount = db.prepare('DELETE FROM threads WHERE account_id = ?');
  }

  /** The THREADID for a new message (inside the append transaction); `fresh` when it starts a thread. */
  assign(accountId: number, meta: MessageMeta, fresh: string): string {
    const keys = threadLookupKeys(meta);
    if (keys.length === 0) return fresh;
    const thread = this.#find.get(accountId, JSON.stringify(keys))?.thread_id ?? fresh;
    for (const key of keys) this.#insert.run(accountId, key, thread);
    return thread;
  }

  /** Forget an account's threads (account deletion). */
  deleteAccount(accountId: number): void {
    this.#deleteAccount.run(accountId);
  }
}
