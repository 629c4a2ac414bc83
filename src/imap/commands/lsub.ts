/**
 * LSUB (RFC 3501 section 6.3.9): the subscribed names (existing or not) matching the pattern. With a
 * trailing `%`, a level that is not itself subscribed but has subscribed children is returned with
 * \Noselect ("foo" for a subscribed "foo/bar").
 */
import { HIERARCHY_SEPARATOR, parentNames } from '../../core/mailbox-name.ts';
import { atom, type ImapValue } from '../protocol/values.ts';
import { mailboxToWire, utf8Enabled } from '../wire/mutf7.ts';
import { userOf } from './mailbox-arg.ts';
import { listMatcher, listOrder, parseListArgs, type ListArgs } from './list.ts';
import type { CommandSpec } from './types.ts';

/** `LSUB reference pattern`. */
export const lsubCommand: CommandSpec<ListArgs> = {
  name: 'LSUB',
  states: ['authenticated', 'selected'],
  expunge: 'allow',
  parse: parseListArgs,
  async run(ctx, args) {
    const utf8 = utf8Enabled(ctx.enabled);
    if (args.pattern === '') {
      await ctx.out.untagged(atom('LSUB'), [atom('\\Noselect')], HIERARCHY_SEPARATOR, '');
      return { text: 'Lsub completed.' };
    }
    const match = listMatcher(args.reference, args.pattern);
    const subscribed = new Set(await userOf(ctx).listSubscriptions());
    const candidates = new Set(subscribed);
    if ((args.reference + args.pattern).endsWith('%')) {
      for (const name of subscribed) for (const p of parentNames(name)) candidates.add(p);
    }
    for (const name of [...candidates].filter(match).sort(listOrder)) {
      const attrs: ImapValue[] = subscribed.has(name) ? [] : [atom('\\Noselect')];
      await ctx.out.untagged(atom('LSUB'), attrs, HIERARCHY_SEPARATOR, mailboxToWire(name, utf8));
    }
    return { text: 'Lsub completed.' };
  },
};
