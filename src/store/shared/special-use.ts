/** RFC 6154 special-use attributes: which exist, and how the database stores keep a list of them. */
import { StoreError } from '../errors.ts';
import type { SpecialUse } from '../types.ts';

/** Every special-use attribute of the contract (store/types.ts SpecialUse), for checking untyped input. */
export const SPECIAL_USES: ReadonlySet<string> = new Set<SpecialUse>(['\\All', '\\Archive', '\\Drafts', '\\Flagged', '\\Junk', '\\Sent', '\\Trash']);

/**
 * The special-use list of a CREATE, de-duplicated in first-seen order; StoreError 'invalid' for an
 * attribute RFC 6154 does not define (the type does not stop a JavaScript caller or a cast).
 */
export function checkedSpecialUse(uses: readonly SpecialUse[] | undefined): SpecialUse[] {
  const out = [...new Set(uses ?? [])];
  for (const use of out) {
    if (!SPECIAL_USES.has(use)) throw new StoreError('invalid', `unknown special-use attribute ${String(use)}`);
  }
  return out;
}

/** A special-use list in its stored form: space-separated (no attribute contains a space). */
export function joinSpecialUse(uses: readonly SpecialUse[]): string {
  return uses.join(' ');
}

/** A special-use list from its stored form (joinSpecialUse). */
export function splitSpecialUse(value: string): SpecialUse[] {
  return value === '' ? [] : (value.split(' ') as SpecialUse[]);
}
