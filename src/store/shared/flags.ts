/** Flag validation and flag-list arithmetic, the same for every store (store/types.ts). */
import { SYSTEM_FLAGS, hasFlag, isSystemFlag, normalizeFlags } from '../../core/flags.ts';
import { StoreError } from '../errors.ts';
import { MAX_KEYWORD_LENGTH, MAX_KEYWORDS_PER_MAILBOX } from './limits.ts';

const SYSTEM = new Set<string>(SYSTEM_FLAGS);

// RFC 3501 section 9: a keyword is an atom; atom-specials are ( ) { SP CTL % * " \ and ]
const NOT_ATOM = /[(){ \u0000-\u001f\u007f%*"\\\]]/;

/**
 * Validate and canonicalize flags for storing. `\Recent` is dropped: it is IMAP session state and never
 * stored (store/types.ts). Unknown system flags and non-atom keywords are refused ('invalid').
 */
export function storableFlags(flags: readonly string[]): string[] {
  const out: string[] = [];
  for (const flag of normalizeFlags(flags)) {
    if (isSystemFlag(flag)) {
      if (flag === '\\Recent') continue;
      if (!SYSTEM.has(flag)) throw new StoreError('invalid', `unknown system flag ${flag}`);
      out.push(flag);
      continue;
    }
    if (flag.length === 0 || flag.length > MAX_KEYWORD_LENGTH || NOT_ATOM.test(flag)) {
      throw new StoreError('invalid', `invalid keyword ${JSON.stringify(flag)}`);
    }
    out.push(flag);
  }
  return out;
}

/** Keywords (non-system flags) of a flag list. */
export function keywordsOf(flags: readonly string[]): string[] {
  return flags.filter((f) => !isSystemFlag(f));
}

/** Apply a STORE operation (set/add/remove) to a message's flags; `change` must already be storable. */
export function applyFlagOp(current: readonly string[], op: 'set' | 'add' | 'remove', change: readonly string[]): string[] {
  switch (op) {
    case 'set':
      return [...change];
    case 'add':
      return normalizeFlags([...current, ...change]);
    case 'remove':
      return current.filter((f) => !hasFlag(change, f));
  }
}

/** Same flags, ignoring order and (as RFC 3501 compares flags) case. */
export function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((f) => hasFlag(b, f));
}

/**
 * The \Seen and \Deleted bits of a flag list as 0/1: the database stores keep them as columns so that
 * STATUS counters, UNSEEN and EXPUNGE use an index instead of parsing every flag list.
 */
export function flagBits(flags: readonly string[]): { seen: number; deleted: number } {
  return { seen: hasFlag(flags, '\\Seen') ? 1 : 0, deleted: hasFlag(flags, '\\Deleted') ? 1 : 0 };
}

/**
 * Keywords of `flagLists` that a mailbox defining `current` does not define yet (compared without case,
 * as RFC 3501 compares flags), in first-seen order. StoreError 'invalid' when adding them would pass
 * MAX_KEYWORDS_PER_MAILBOX; nothing is added then.
 */
export function addedKeywords(current: readonly string[], flagLists: Iterable<readonly string[]>): string[] {
  const known = new Set(current.map((k) => k.toLowerCase()));
  const added: string[] = [];
  for (const flags of flagLists) {
    for (const kw of keywordsOf(flags)) {
      const key = kw.toLowerCase();
      if (known.has(key)) continue;
      known.add(key);
      added.push(kw);
    }
  }
  if (added.length > 0 && current.length + added.length > MAX_KEYWORDS_PER_MAILBOX) {
    throw new StoreError('invalid', `too many keywords in mailbox (limit ${MAX_KEYWORDS_PER_MAILBOX})`);
  }
  return added;
}
