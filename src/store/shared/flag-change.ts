/** What a STORE does to one message, decided the same way by every store. */
import type { FlagChange } from '../types.ts';
import { applyFlagOp, sameFlags } from './flags.ts';

/**
 * The outcome of `change` (with `flags` already storable) on a message with flags `current` and MODSEQ
 * `modseq`: 'modified' when UNCHANGEDSINCE refuses it (RFC 7162 section 3.1.3: the message changed after
 * the client's MODSEQ, it is left alone and reported), null when its flags would not change (no new
 * MODSEQ, nothing to report), else the new flag list.
 */
export function planFlagChange(current: readonly string[], modseq: number, change: FlagChange, flags: readonly string[]): 'modified' | string[] | null {
  if (change.unchangedSince !== undefined && modseq > change.unchangedSince) return 'modified';
  const next = applyFlagOp(current, change.op, flags);
  return sameFlags(next, current) ? null : next;
}
