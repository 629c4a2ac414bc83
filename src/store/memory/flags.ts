/** Flag validation and flag-list arithmetic for the memory store. */
import { SYSTEM_FLAGS, hasFlag, isSystemFlag, normalizeFlags } from '../../core/flags.ts';
import { StoreError } from '../errors.ts';
import { MAX_KEYWORD_LENGTH } from './limits.ts';

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

/** Apply a set/add/remove operation; `change` must already be storable. */
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

