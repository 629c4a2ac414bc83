/**
 * LIST (RFC 3501 section 6.3.8): reference + pattern, `*` matches across levels, `%` within one level,
 * `""` as pattern asks for the hierarchy delimiter, INBOX matches case-insensitively. When the pattern
 * ends with `%`, levels of hierarchy that are not mailboxes themselves are returned with \Noselect.
 */
import { HIERARCHY_SEPARATOR, INBOX, parentNames } from '../../core/mailbox-name.ts';
import type { MailboxInfo } from '../../store/types.ts';
import { atom, type ImapValue } from '../protocol/values.ts';
import type { ImapDecoder } from '../wire/decoder.ts';
import { mailboxToWire, utf8Enabled } from '../wire/mutf7.ts';
import { userOf } from './create.ts';
import type { CommandSpec } from './types.ts';

/** LIST / LSUB arguments. */
export interface ListArgs {
  readonly reference: string;
  readonly pattern: string;
}

/** Longest pattern compiled: bounds the regular expression built from client input. */
export const MAX_LIST_PATTERN_LENGTH = 1024;

/**
 * A matcher for the canonical pattern `reference + pattern` (RFC 3501 6.3.8: the two are concatenated
 * into one left-to-right hierarchy). A leading "inbox" in any case is read as INBOX (RFC 3501 5.1).
 */
export function listMatcher(reference: string, pattern: string): (name: string) => boolean {
  let p = (reference + pattern).slice(0, MAX_LIST_PATTERN_LENGTH);
  if (p.slice(0, INBOX.length).toUpperCase() === INBOX && (p.length === INBOX.length || /[/*%]/.test(p[INBOX.length]))) {
    p = INBOX + p.slice(INBOX.length);
  }
  let source = '^';
  for (const ch of p) {
    if (ch === '*') source += '.*';
    else if (ch === '%') source += `[^${HIERARCHY_SEPARATOR}]*`;
    else source += ch.replace(/[\\^$.|?+()[\]{}/-]/g, '\\$&');
  }
  const re = new RegExp(source + '$', 'su');
  return (name) => re.test(name);
}

/** Sort for output: INBOX first, then by name (code point order). */
export function listOrder(a: string, b: string): number {
  if (a === INBOX || b === INBOX) return a === INBOX ? (b === INBOX ? 0 : -1) : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Parse `reference SP list-mailbox` (shared by LSUB). */
export function parseListArgs(dec: ImapDecoder): ListArgs {
  dec.sp();
  const reference = dec.listMailbox();
  dec.sp();
  const pattern = dec.listMailbox();
  dec.end();
  return { reference, pattern };
}

/** `LIST reference pattern`. */
export const listCommand: CommandSpec<ListArgs> = {
  name: 'LIST',
  states: ['authenticated', 'selected'],
  expunge: 'allow',
  parse: parseListArgs,
  async run(ctx, args) {
    const utf8 = utf8Enabled(ctx.enabled);
    if (args.pattern === '') {
      // RFC 3501 6.3.8: an empty pattern returns the delimiter and the root name.
      await ctx.out.untagged(atom('LIST'), [atom('\\Noselect')], HIERARCHY_SEPARATOR, '');
      return { text: 'List completed.' };
    }
    const match = listMatcher(args.reference, args.pattern);
    const boxes = await userOf(ctx).listMailboxes();
    const byName = new Map<string, MailboxInfo>(boxes.map((b) => [b.name, b]));
    const withChildren = new Set<string>();
    for (const b of boxes) for (const p of parentNames(b.name)) withChildren.add(p);
    const candidates = new Set(byName.keys());
    if ((args.reference + args.pattern).endsWith('%')) for (const p of withChildren) candidates.add(p);
    const names = [...candidates].filter(match).sort(listOrder);
    for (const name of names) {
      const info = byName.get(name);
      const attrs: ImapValue[] = [];
      if (!info) attrs.push(atom('\\Noselect'), atom('\\HasChildren'));
      else {
        attrs.push(atom(withChildren.has(name) ? '\\HasChildren' : '\\HasNoChildren'));
        for (const use of info.specialUse) attrs.push(atom(use));
      }
      await ctx.out.untagged(atom('LIST'), attrs, HIERARCHY_SEPARATOR, mailboxToWire(name, utf8));
    }
    return { text: 'List completed.' };
  },
};
