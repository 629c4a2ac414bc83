/** Flag validation and arithmetic for the SQLite store (same rules as every store: store/types.ts). */
import { SYSTEM_FLAGS, hasFlag, isSystemFlag, normalizeFlags } from '../../core/flags.ts';
import { StoreError } from '../errors.ts';

const SYSTEM = new Set<string>(SYSTEM_FLAGS);

// RFC 3501 section 9: a keyword is an atom; atom-specials are ( ) { SP CTL % * " \ and ]
const NOT_ATOM = /[(){ \u0000-\u001f\u007f%*"\\\]]/;

/** Longest keyword accepted, in characters: keywords are atoms sent in every FLAGS response. */
export const MAX_KEYWORD_LENGTH = 128;

/**
 * Keywords one mailbox may define: every session receives the whole list in FLAGS and PERMANENTFLAGS and
 * clients show it, so thousands of keywords are abuse, not use (Dovecot caps them too).
 */
export const MAX_KEYWORDS_PER_MAILBOX = 256;

/**
 * Validate and canonicalize flags for storing. `\Recent` is dropped (IMAP session state, never stored);
 * unknown system flags and non-atom keywords are refused with StoreError('invalid').
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

/** Apply a STORE operation to a message's flags (`change` already storable). */
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

/** Same flags ignoring order and case (RFC 3501 compares flags case-insensitively). */
export function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((f) => hasFlag(b, f));
}

/** Keywords (non-system flags) of a flag list. */
export function keywordsOf(flags: readonly string[]): string[] {
  return flags.filter((f) => !isSystemFlag(f));
}
