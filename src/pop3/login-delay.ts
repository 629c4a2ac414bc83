/**
 * RFC 2449 section 6.8 LOGIN-DELAY: the minimum number of seconds between logins of one user. Advertised
 * only when configured, and then enforced here: a login that comes too soon is refused with
 * `-ERR [LOGIN-DELAY]` (RFC 2449 section 8.1.2). The record is per process, like the maildrop lock.
 */

/** Beyond this many remembered users, expired entries are pruned before adding another. */
const PRUNE_THRESHOLD = 10_000;

/** Last successful login time per user. */
export class LoginDelayTracker {
  private readonly last = new Map<string, number>();

  /** @param delaySeconds minimum seconds between two logins of the same user. */
  constructor(readonly delaySeconds: number) {
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0) throw new RangeError('loginDelay must be a non-negative integer (seconds)');
  }

  /** True when `username` may log in at `now` (ms). */
  allows(username: string, now: number = Date.now()): boolean {
    const previous = this.last.get(username);
    return previous === undefined || now - previous >= this.delaySeconds * 1000;
  }

  /** Remember a successful login. */
  record(username: string, now: number = Date.now()): void {
    if (this.last.size >= PRUNE_THRESHOLD) {
      for (const [name, at] of this.last) if (now - at >= this.delaySeconds * 1000) this.last.delete(name);
    }
    this.last.set(username, now);
  }
}
