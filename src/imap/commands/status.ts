/**
 * STATUS (RFC 3501 section 6.3.10), with the items of STATUS=SIZE (RFC 8438), IMAP4rev2's DELETED
 * (RFC 9051 section 6.3.11), OBJECTID's MAILBOXID (RFC 8474 section 4.3) and APPENDLIMIT (RFC 7889),
 * answered in the order asked (status-items.ts).
 */
import { mailboxToWire, utf8Enabled } from '../wire/mutf7.ts';
import { atom } from '../protocol/values.ts';
import { userOf } from './mailbox-arg.ts';
import { checkStatusItems, parseStatusItems, statusValues, type StatusItem } from './status-items.ts';
import type { CommandSpec } from './types.ts';

export { STATUS_ITEMS, type StatusItem } from './status-items.ts';

/** STATUS arguments. */
export interface StatusArgs {
  readonly mailbox: string;
  readonly items: readonly StatusItem[];
}

/** `STATUS mailbox (item ...)`. */
export const statusCommand: CommandSpec<StatusArgs> = {
  name: 'STATUS',
  states: ['authenticated', 'selected'],
  expunge: 'allow',
  parse(dec) {
    dec.sp();
    const mailbox = dec.mailbox();
    dec.sp();
    const items = parseStatusItems(dec);
    dec.end();
    return { mailbox, items };
  },
  async run(ctx, args) {
    checkStatusItems(ctx, args.items);
    const status = await userOf(ctx).status(args.mailbox);
    const values = await statusValues(ctx, args.mailbox, args.items, status);
    await ctx.out.untagged(atom('STATUS'), mailboxToWire(args.mailbox, utf8Enabled(ctx.enabled)), values);
    return { text: 'Status completed.' };
  },
};
