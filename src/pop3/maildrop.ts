/**
 * The session's view of the locked maildrop: message sizes taken at lock time and the deleted marks
 * (RFC 1939 section 5: deleted messages are hidden from every command until RSET and removed only at QUIT).
 * POP3 message numbers live here and nowhere else (DESIGN.md section 1).
 */

/** Why a message number cannot be used. */
export type MessageLookup = { readonly ok: true; readonly size: number } | { readonly ok: false; readonly reason: 'noSuchMessage' | 'deleted' };

/** Message list plus deletion marks for one TRANSACTION state. */
export class Maildrop {
  private readonly deleted: Uint8Array;
  private readonly ids = new Map<number, string>();

  /** @param sizes octet size of message n at index n-1. */
  constructor(private readonly sizes: readonly number[]) {
    this.deleted = new Uint8Array(sizes.length);
  }

  /** Messages at lock time, deleted ones included. */
  get total(): number {
    return this.sizes.length;
  }

  /** Look up a live message. */
  lookup(number: number): MessageLookup {
    if (!Number.isInteger(number) || number < 1 || number > this.sizes.length) return { ok: false, reason: 'noSuchMessage' };
    if (this.deleted[number - 1]) return { ok: false, reason: 'deleted' };
    return { ok: true, size: this.sizes[number - 1] };
  }

  /** STAT figures: live messages and their total size. */
  stat(): { count: number; octets: number } {
    let count = 0;
    let octets = 0;
    for (let i = 0; i < this.sizes.length; i++) {
      if (!this.deleted[i]) {
        count++;
        octets += this.sizes[i];
      }
    }
    return { count, octets };
  }

  /** Live messages in ascending order with their sizes. */
  *live(): Generator<{ number: number; size: number }> {
    for (let i = 0; i < this.sizes.length; i++) if (!this.deleted[i]) yield { number: i + 1, size: this.sizes[i] };
  }

  /** Mark a live message deleted; false when it was not live. */
  markDeleted(number: number): boolean {
    if (!this.lookup(number).ok) return false;
    this.deleted[number - 1] = 1;
    return true;
  }

  /** RSET: unmark everything. */
  reset(): void {
    this.deleted.fill(0);
  }

  /** Numbers marked deleted, ascending. */
  deletedNumbers(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.deleted.length; i++) if (this.deleted[i]) out.push(i + 1);
    return out;
  }

  /** Cached UIDL value. */
  cachedId(number: number): string | undefined {
    return this.ids.get(number);
  }

  /** Remember a UIDL value (ids are stable for the session, so each is asked of the handler once). */
  cacheId(number: number, id: string): void {
    this.ids.set(number, id);
  }
}
