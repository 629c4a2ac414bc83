/** The STATUS counters of a set of messages (RFC 9051 STATUS MESSAGES, UNSEEN, DELETED, SIZE). */

/** One message as the counters see it: its \Seen and \Deleted bits (shared/flags.ts flagBits) and size. */
export interface CountedMessage {
  readonly seen: number;
  readonly deleted: number;
  readonly size: number;
}

/** Counters of a set of messages; mutations add them to (append, copy) or subtract them from (expunge) a mailbox's. */
export interface MessageCounts {
  readonly messages: number;
  readonly unseen: number;
  readonly deleted: number;
  readonly size: number;
}

/** Count `items`: how many, how many without \Seen, how many with \Deleted, and their total size in octets. */
export function countMessages(items: Iterable<CountedMessage>): MessageCounts {
  let messages = 0;
  let unseen = 0;
  let deleted = 0;
  let size = 0;
  for (const m of items) {
    messages++;
    if (!m.seen) unseen++;
    if (m.deleted) deleted++;
    size += m.size;
  }
  return { messages, unseen, deleted, size };
}
