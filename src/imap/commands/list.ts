/**
 * LIST, basic (RFC 3501 section 6.3.8) and extended (RFC 5258 LIST-EXTENDED, RFC 6154 SPECIAL-USE,
 * RFC 5819 LIST-STATUS, RFC 3348 CHILDREN; all part of IMAP4rev2, RFC 9051 section 6.3.9).
 *
 * Basic LIST: reference + pattern, `*` matches across levels, `%` within one level, `""` as pattern asks
 * for the hierarchy delimiter, INBOX matches case-insensitively. When the pattern ends with `%`, levels
 * of hierarchy that are not mailboxes themselves are returned with \Noselect. Every response carries
 * \HasChildren or \HasNoChildren (CHILDREN) and the special-use attributes (RFC 6154 section 2 allows
 * them on the basic LIST; Dovecot sends them).
 *
 * Extended LIST (any of selection options, a pattern list, RETURN): as Dovecot, attributes are only
 * those asked for by return options; mailboxes that do not exist are \NonExistent (RFC 5258 section 3);
 * RECURSIVEMATCH adds parents with a CHILDINFO extended item when a descendant meeting the criteria is
 * not itself returned (section 3.5, redundant CHILDINFO suppressed); RETURN (STATUS ...) writes a STATUS
 * after each selectable mailbox, looked up before its LIST so a mailbox that vanished meanwhile is
 * reported \NonExistent without STATUS (RFC 5819 section 2).
 */
import { HIERARCHY_SEPARATOR, INBOX, parentNames } from '../../core/mailbox-name.ts';
import { isStoreError } from '../../store/errors.ts';
import type { MailboxInfo, MailboxStatus, User } from '../../store/types.ts';
import { ImapError } from '../protocol/errors.ts';
import { atom, type ImapValue } from '../protocol/values.ts';
import type { ImapDecoder } from '../wire/decoder.ts';
import { mailboxToWire, utf8Enabled } from '../wire/mutf7.ts';
import { userOf } from './mailbox-arg.ts';
import { requireFeature } from './features.ts';
import { parseExtendedList, type ExtendedListArgs, type ListReturn, type ListSelection } from './list-options.ts';
import { checkStatusItems, statusValues } from './status-items.ts';
import type { CommandContext, CommandSpec } from './types.ts';

/** LIST / LSUB arguments (the basic form, shared by LSUB). */
export interface ListArgs {
  readonly reference: string;
  readonly pattern: string;
}

/** Longest pattern compiled: bounds the regular expression built from client input. */
export const MAX_LIST_PATTERN_LENGTH = 1024;
/** Most patterns in one extended LIST: each is a regular expression run against every name. */
export const MAX_LIST_PATTERNS = 100;

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

/** Parse `reference SP list-mailbox` (the basic form; LSUB). */
export function parseListArgs(dec: ImapDecoder): ListArgs {
  dec.sp();
  const reference = dec.listMailbox();
  dec.sp();
  const pattern = dec.listMailbox();
  dec.end();
  return { reference, pattern };
}

/** What LIST needs to know about the account, read once per command. */
export interface MailboxTree {
  readonly boxes: ReadonlyMap<string, MailboxInfo>;
  readonly subscribed: ReadonlySet<string>;
  /** Names (existing or not) that have at least one existing mailbox below them. */
  readonly withChildren: ReadonlySet<string>;
}

/** Read the account's mailboxes and subscriptions. */
export async function readMailboxTree(user: User, withSubscriptions: boolean): Promise<MailboxTree> {
  const list = await user.listMailboxes();
  const boxes = new Map<string, MailboxInfo>(list.map((b) => [b.name, b]));
  const withChildren = new Set<string>();
  for (const b of list) for (const p of parentNames(b.name)) withChildren.add(p);
  const subscribed = new Set<string>(withSubscriptions ? await user.listSubscriptions() : []);
  return { boxes, subscribed, withChildren };
}

/** The child attribute of a name (RFC 3348). */
export function childAttribute(tree: MailboxTree, name: string): ImapValue {
  return atom(tree.withChildren.has(name) ? '\\HasChildren' : '\\HasNoChildren');
}

/**
 * Accurate attributes of an existing mailbox (RFC 9051 SELECT's LIST response): \Subscribed when it is,
 * the child attribute and the special uses.
 */
export function mailboxAttributes(tree: MailboxTree, info: MailboxInfo): ImapValue[] {
  const attrs: ImapValue[] = [];
  if (tree.subscribed.has(info.name)) attrs.push(atom('\\Subscribed'));
  attrs.push(childAttribute(tree, info.name));
  for (const use of info.specialUse) attrs.push(atom(use));
  return attrs;
}

async function basicList(ctx: CommandContext, reference: string, pattern: string): Promise<void> {
  const utf8 = utf8Enabled(ctx.enabled);
  if (pattern === '') {
    // RFC 3501 6.3.8: an empty pattern returns the delimiter and the root name.
    await ctx.out.untagged(atom('LIST'), [atom('\\Noselect')], HIERARCHY_SEPARATOR, '');
    return;
  }
  const match = listMatcher(reference, pattern);
  const tree = await readMailboxTree(userOf(ctx), false);
  const candidates = new Set(tree.boxes.keys());
  if ((reference + pattern).endsWith('%')) for (const p of tree.withChildren) candidates.add(p);
  for (const name of [...candidates].filter(match).sort(listOrder)) {
    const info = tree.boxes.get(name);
    const attrs: ImapValue[] = [];
    if (!info) attrs.push(atom('\\Noselect'), atom('\\HasChildren'));
    else {
      attrs.push(childAttribute(tree, name));
      for (const use of info.specialUse) attrs.push(atom(use));
    }
    await ctx.out.untagged(atom('LIST'), attrs, HIERARCHY_SEPARATOR, mailboxToWire(name, utf8));
  }
}

/** Refuse (BAD) what the connection was not offered, and RECURSIVEMATCH alone (RFC 5258 section 3.1). */
function checkExtended(ctx: CommandContext, sel: ListSelection | null, ret: ListReturn | null): void {
  requireFeature(ctx, 'LIST-EXTENDED', 'Extended LIST');
  if (sel?.specialUse || ret?.specialUse) requireFeature(ctx, 'SPECIAL-USE', 'SPECIAL-USE option');
  if (ret?.status) {
    requireFeature(ctx, 'LIST-STATUS', 'STATUS return option');
    checkStatusItems(ctx, ret.status, 'LIST');
  }
  if (sel?.recursiveMatch && !sel.subscribed && !sel.specialUse) {
    throw new ImapError('BAD', 'Error in IMAP command LIST: RECURSIVEMATCH must not be the only selection');
  }
}

async function extendedList(ctx: CommandContext, args: ExtendedListArgs): Promise<void> {
  const sel: ListSelection = args.selection ?? { subscribed: false, remote: false, recursiveMatch: false, specialUse: false };
  const given = args.returns;
  // SUBSCRIBED and SPECIAL-USE selection imply the same return option (RFC 5258 3.1, RFC 6154 section 2).
  const ret: ListReturn = {
    subscribed: sel.subscribed || (given?.subscribed ?? false),
    children: given?.children ?? false,
    specialUse: sel.specialUse || (given?.specialUse ?? false),
    status: given?.status ?? null,
  };
  // An extended LIST never treats "" as the delimiter query: empty patterns are ignored (RFC 5258 section 3).
  const patterns = args.patterns.filter((p) => p !== '').slice(0, MAX_LIST_PATTERNS);
  if (patterns.length === 0) return;
  const matchers = patterns.map((p) => ({ match: listMatcher(args.reference, p), percent: (args.reference + p).endsWith('%') }));

  const user = userOf(ctx);
  const tree = await readMailboxTree(user, ret.subscribed || sel.subscribed);
  const hasBase = sel.subscribed || sel.specialUse;
  const meets = (name: string): boolean => {
    const info = tree.boxes.get(name);
    if (sel.subscribed && !tree.subscribed.has(name)) return false;
    if (sel.specialUse && !(info && info.specialUse.length > 0)) return false;
    return hasBase || info !== undefined;
  };
  const matchesAny = (name: string): boolean => matchers.some((m) => m.match(name));

  // Every name LIST could speak of: mailboxes, subscriptions and the levels above them.
  const universe = new Set<string>([...tree.boxes.keys(), ...tree.subscribed]);
  for (const name of [...universe]) for (const p of parentNames(name)) universe.add(p);

  // RECURSIVEMATCH: parents of a name that meets the criteria but is not returned itself get CHILDINFO.
  const childInfo = new Set<string>();
  if (sel.recursiveMatch) {
    for (const name of universe) {
      if (meets(name) && !matchesAny(name)) for (const p of parentNames(name)) childInfo.add(p);
    }
  }
  const criteria: string[] = [];
  if (sel.subscribed) criteria.push('SUBSCRIBED');
  if (sel.specialUse) criteria.push('SPECIAL-USE');

  const utf8 = utf8Enabled(ctx.enabled);
  for (const name of [...universe].sort(listOrder)) {
    const matched = matchers.filter((m) => m.match(name));
    if (matched.length === 0) continue;
    const info = tree.boxes.get(name);
    const isMet = meets(name);
    const withChildInfo = sel.recursiveMatch && childInfo.has(name);
    // A level that is not a mailbox, matched by a trailing % of a LIST without selection criteria
    // (RFC 3501 6.3.8 rule, RFC 5258 example 10: \NonExistent \HasChildren).
    const placeholder = !hasBase && !info && tree.withChildren.has(name) && matched.some((m) => m.percent);
    if (!isMet && !withChildInfo && !placeholder) continue;

    let status: MailboxStatus | null = null;
    let exists = info !== undefined;
    if (exists && ret.status) {
      try {
        status = await user.status(name);
      } catch (err) {
        if (!isStoreError(err, 'notFound')) throw err;
        exists = false; // deleted since the listing: no STATUS, and say so (RFC 5819 section 2)
      }
    }
    const attrs: ImapValue[] = [];
    if (ret.subscribed && tree.subscribed.has(name)) attrs.push(atom('\\Subscribed'));
    if (!exists) attrs.push(atom('\\NonExistent'));
    if (ret.children) attrs.push(childAttribute(tree, name));
    else if (placeholder) attrs.push(atom('\\HasChildren'));
    if (ret.specialUse && info && exists) for (const use of info.specialUse) attrs.push(atom(use));
    const response: ImapValue[] = [atom('LIST'), attrs, HIERARCHY_SEPARATOR, mailboxToWire(name, utf8)];
    if (withChildInfo) response.push([atom('CHILDINFO'), criteria]);
    await ctx.out.untagged(...response);
    if (status && ret.status) {
      await ctx.out.untagged(atom('STATUS'), mailboxToWire(name, utf8), await statusValues(ctx, name, ret.status, status));
    }
  }
}

/** `LIST [(selection)] reference pattern-or-patterns [RETURN (options)]`. */
export const listCommand: CommandSpec<ExtendedListArgs> = {
  name: 'LIST',
  states: ['authenticated', 'selected'],
  expunge: 'allow',
  parse: parseExtendedList,
  async run(ctx, args) {
    if (args.extended) {
      checkExtended(ctx, args.selection, args.returns);
      await extendedList(ctx, args);
    } else {
      await basicList(ctx, args.reference, args.patterns[0]);
    }
    return { text: 'List completed.' };
  },
};
