/**
 * THREADID (RFC 8474 section 5.2) by references: a message joins the thread of any message it names in
 * In-Reply-To or References, or of any earlier message that named it; otherwise it starts a thread. This
 * is the reference part of RFC 5256's REFERENCES algorithm without subject merging (subject merging groups
 * unrelated "Re: hello" messages, which is worse than splitting a thread whose client dropped headers).
 */
import type { Statement, Database as Db } from 'better-sqlite3';
import { firstField, parseHeaderFields } from '../../message/index.ts';
import type { MessageMeta } from '../../message/types.ts';

/**
 * References looked at per message: the nearest ancestors are at the end of References (RFC 5322 section
 * 3.6.4), and a hostile header with thousands of ids must not cost thousands of lookups.
 */
export const MAX_THREAD_REFERENCES = 20;

const MSG_ID = /<[^<>\s]{1,250}>/g;

/** The message's own Message-ID and the ids it refers to (nearest first), as written in the header. */
export function threadKeys(meta: MessageMeta): { own: string | null; refs: string[] } {
  const own = meta.envelope.messageId?.match(MSG_ID)?.[0] ?? null;
  const refs: string[] = [];
  const inReplyTo = meta.envelope.inReplyTo?.match(MSG_ID) ?? [];
  const references = firstField(parseHeaderFields(meta.header), 'references')?.match(MSG_ID) ?? [];
  for (const id of [...inReplyTo, ...references.reverse()]) {
    if (id !== own && !refs.includes(id)) refs.push(id);
    if (refs.length >= MAX_THREAD_REFERENCES) break;
  }
  return { own, refs };
}

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
    const { own, refs } = threadKeys(meta);
    const keys = own ? [own, ...refs] : refs;
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
