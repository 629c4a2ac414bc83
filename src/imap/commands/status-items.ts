/**
 * STATUS data items, shared by STATUS and LIST-STATUS (RFC 5819): parsing, the per-connection check of
 * which items are available, and rendering in the order asked.
 *
 * - RFC 3501: MESSAGES, RECENT, UIDNEXT, UIDVALIDITY, UNSEEN.
 * - RFC 8438 STATUS=SIZE (and IMAP4rev2): SIZE, the sum of message sizes (number64).
 * - RFC 9051 (IMAP4rev2 only): DELETED, the number of messages with \Deleted.
 * - RFC 8474 OBJECTID: MAILBOXID, rendered `MAILBOXID (id)`.
 * - RFC 7889 APPENDLIMIT: APPENDLIMIT, the mailbox's limit (the server-wide one here) or NIL.
 */
import type { MailboxStatus } from '../../store/types.ts';
import { ImapError } from '../protocol/errors.ts';
import { atom, type ImapValue } from '../protocol/values.ts';
import type { ImapDecoder } from '../wire/decoder.ts';
import { appendLimitOf, featureActive, isRev2 } from './features.ts';
import type { CommandContext } from './types.ts';

/** Every status item this server knows. */
export const STATUS_ITEMS = [
  'MESSAGES',
  'RECENT',
  'UIDNEXT',
  'UIDVALIDITY',
  'UNSEEN',
  'SIZE',
  'DELETED',
  'MAILBOXID',
  'APPENDLIMIT',
] as const;

/** One status item name. */
export type StatusItem = (typeof STATUS_ITEMS)[number];

/** `"(" status-att *(SP status-att) ")"`: names upper-cased, duplicates kept once (first position). */
export function parseStatusItems(dec: ImapDecoder): StatusItem[] {
  const items = dec.list(() => {
    const item = dec.atom().toUpperCase();
    if (!(STATUS_ITEMS as readonly string[]).includes(item)) dec.fail(`unknown status item ${item}`);
    return item as StatusItem;
  });
  if (items.length === 0) dec.fail('empty status item list');
  return [...new Set(items)];
}

/** Refuse (BAD) items whose extension this connection was not offered. */
export function checkStatusItems(ctx: CommandContext, items: readonly StatusItem[], command = 'STATUS'): void {
  for (const item of items) {
    let ok = true;
    if (item === 'SIZE') ok = featureActive(ctx, 'STATUS=SIZE');
    else if (item === 'DELETED') ok = isRev2(ctx);
    else if (item === 'MAILBOXID') ok = featureActive(ctx, 'OBJECTID');
    else if (item === 'APPENDLIMIT') ok = appendLimitOf(ctx) !== null;
    if (!ok) throw new ImapError('BAD', `Error in IMAP command ${command}: unknown status item ${item}`);
  }
}

/** The `(name value ...)` list of a STATUS response. RECENT is session state (CommandContext.recentCount). */
export async function statusValues(
  ctx: CommandContext,
  mailbox: string,
  items: readonly StatusItem[],
  status: MailboxStatus,
): Promise<ImapValue[]> {
  const out: ImapValue[] = [];
  for (const item of items) {
    let value: ImapValue;
    switch (item) {
      case 'MESSAGES':
        value = status.messages;
        break;
      case 'RECENT':
        value = await ctx.recentCount(mailbox);
        break;
      case 'UIDNEXT':
        value = status.uidNext;
        break;
      case 'UIDVALIDITY':
        value = status.uidValidity;
        break;
      case 'UNSEEN':
        value = status.unseen;
        break;
      case 'SIZE':
        value = status.size;
        break;
      case 'DELETED':
        value = status.deleted;
        break;
      case 'MAILBOXID':
        value = [atom(status.id)];
        break;
      case 'APPENDLIMIT':
        value = appendLimitOf(ctx);
        break;
    }
    out.push(atom(item), value);
  }
  return out;
}
