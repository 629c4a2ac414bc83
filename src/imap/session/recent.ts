/**
 * \Recent is session state (RFC 3501 section 2.3.2): a new message is \Recent in exactly one session, the
 * first one to see it. Stores do not know sessions, so the claim lives here, process-wide, per backend
 * object and mailbox id: the highest UID any session of this process has already taken.
 */
import type { Backend } from '../../store/types.ts';

const claims = new WeakMap<Backend, Map<string, number>>();

function table(backend: Backend): Map<string, number> {
  let t = claims.get(backend);
  if (!t) {
    t = new Map();
    claims.set(backend, t);
  }
  return t;
}

/** Key of one mailbox of one user. */
export function recentKey(username: string, mailboxId: string, uidValidity: number): string {
  return `${username}\u0000${mailboxId}\u0000${uidValidity}`;
}

/**
 * Take the UIDs nobody has seen yet: those above the mailbox's claim mark. With `readOnly` (EXAMINE,
 * RFC 3501 6.3.2 "MUST NOT cause messages to lose the \Recent flag") the UIDs are reported as recent but
 * left for a read-write session to claim.
 */
export function claimRecent(backend: Backend, key: string, uids: readonly number[], readOnly: boolean): number[] {
  const t = table(backend);
  const mark = t.get(key) ?? 0;
  const fresh = uids.filter((u) => u > mark);
  if (!readOnly && fresh.length > 0) t.set(key, Math.max(mark, ...fresh.slice(-1)));
  return fresh;
}
