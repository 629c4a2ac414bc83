/**
 * STATUS (RFC 3501 section 6.3.10): MESSAGES, RECENT, UIDNEXT, UIDVALIDITY, UNSEEN, answered in the
 * order asked. RECENT is session state, so the session computes it (CommandContext.recentCount).
 */
import { atom, type ImapValue } from '../protocol/values.ts';
import { mailboxToWire, utf8Enabled } from '../wire/mutf7.ts';
import { userOf } from './create.ts';
import type { CommandSpec } from './types.ts';

/** The RFC 3501 status data items. */
export const STATUS_ITEMS = ['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN'] as const;

/** One status item name. */
export type StatusItem = (typeof STATUS_ITEMS)[number];

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
    const items = dec.list(() => {
      const item = dec.atom().toUpperCase();
      if (!(STATUS_ITEMS as readonly string[]).includes(item)) dec.fail(`unknown status item ${item}`);
      return item as StatusItem;
    });
    if (items.length === 0) dec.fail('empty status item list');
    dec.end();
    return { mailbox, items };
  },
  async run(ctx, args) {
    const status = await userOf(ctx).status(args.mailbox);
    const out: ImapValue[] = [];
    for (const item of args.items) {
      let value: number;
      switch (item) {
        case 'MESSAGES':
          value = status.messages;
          break;
        case 'RECENT':
          value = await ctx.recentCount(args.mailbox);
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
      }
      out.push(atom(item), value);
    }
    await ctx.out.untagged(atom('STATUS'), mailboxToWire(args.mailbox, utf8Enabled(ctx.enabled)), out);
    return { text: 'Status completed.' };
  },
};
