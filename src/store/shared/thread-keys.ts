/**
 * THREADID (RFC 8474 section 5.2) by references: a message joins the thread of any message it names in
 * In-Reply-To or References, or of any earlier message that named it; otherwise it starts a thread. This
 * is the reference part of RFC 5256's REFERENCES algorithm without subject merging (subject merging groups
 * unrelated "Re: hello" messages, which is worse than splitting a thread whose client dropped headers).
 *
 * This module finds the keys a message is filed under; each database store keeps its own index of them
 * (sqlite/threads.ts, postgres/user.ts), since the lookup-and-file step is one statement in its dialect.
 */
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

/**
 * Every key a new message is looked up and filed under: its own Message-ID (so a later reply finds it)
 * then its references. Empty when the message has neither: it starts a thread of its own.
 */
export function threadLookupKeys(meta: MessageMeta): string[] {
  const { own, refs } = threadKeys(meta);
  return own ? [own, ...refs] : refs;
}
