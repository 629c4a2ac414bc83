/**
 * IDLE (RFC 2177): `+ idling`, then every change to the selected mailbox (EXISTS, RECENT, EXPUNGE,
 * FETCH FLAGS, FLAGS) is written as soon as the store's change feed queues it, until the client sends
 * DONE. Expunges are allowed while idling (RFC 2177 section 3: the server may send any untagged
 * response), and the sequence numbers stay right because the session's view is updated as each batch
 * is written.
 *
 * Cost while idle: one pending read, one listener and one keepalive timer per connection; nothing is
 * polled. Changes are coalesced to one write per event-loop turn (setImmediate) so a 1,000-message
 * expunge is one flush, not 1,000.
 */
import { ImapError } from '../protocol/errors.ts';
import type { CommandSpec } from './types.ts';

/**
 * Interval of `* OK Still here` while idling (Dovecot's imap_idle_notify_interval, 2 minutes): keeps NAT
 * and firewall state alive and lets the client notice a dead connection before its 29-minute re-IDLE.
 */
export const IDLE_KEEPALIVE_MS = 2 * 60 * 1000;

/** The word that ends IDLE (RFC 2177 section 3), compared case-insensitively as Dovecot does. */
const DONE = 'DONE';

/** `IDLE` ... `DONE`. */
export const idleCommand: CommandSpec<void> = {
  name: 'IDLE',
  states: ['authenticated', 'selected'],
  expunge: 'allow',
  parse(dec) {
    dec.end();
  },
  async run(ctx) {
    // Writes of queued changes are serialized: a flush that awaits socket backpressure must finish
    // before the next one starts, or two batches could interleave on the wire.
    let chain: Promise<void> = Promise.resolve();
    let scheduled = false;
    let active = true;
    const flush = (): void => {
      scheduled = false;
      if (!active) return;
      chain = chain.then(() => (active ? ctx.flushUpdates() : undefined)).catch((err: unknown) => {
        ctx.log('warn', 'IDLE update failed', { err: String(err) });
      });
    };
    const schedule = (): void => {
      if (scheduled || !active) return;
      scheduled = true;
      setImmediate(flush);
    };
    const unsubscribe = ctx.onUpdate(schedule);
    const keepalive = setInterval(() => {
      chain = chain.then(() => ctx.out.status('OK', 'Still here')).catch(() => {});
    }, IDLE_KEEPALIVE_MS);
    keepalive.unref();
    let line: Buffer;
    try {
      const reading = ctx.continuation('idling');
      // Changes queued before IDLE (or while `+ idling` was being written) go out right away.
      schedule();
      line = await reading;
    } finally {
      active = false;
      unsubscribe();
      clearInterval(keepalive);
      await chain;
    }
    if (line.toString('latin1').toUpperCase() !== DONE) throw new ImapError('BAD', 'Expected DONE.');
    return { text: 'Idle completed.' };
  },
};
