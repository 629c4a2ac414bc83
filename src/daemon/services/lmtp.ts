/**
 * The LMTP listener of the daemon (127.0.0.1:2424 by default): delivery from the MTA into the store,
 * one reply per recipient. Every recipient's result counts in mailroom_deliveries_total.
 */
import { LmtpServer } from '../../lmtp/index.ts';
import { ensureAccount } from '../accounts.ts';
import { listenError } from '../listen.ts';
import type { RunningService, ServiceContext } from '../service.ts';

/** Start the LMTP listener when the config enables it; null otherwise. */
export async function startLmtp(ctx: ServiceContext): Promise<RunningService | null> {
  const { config, metrics } = ctx;
  const address = config.listeners.lmtp;
  if (!address) return null;
  const logger = ctx.logger.child({ proto: 'lmtp' });
  const backend = ctx.backend;
  const lmtp = new LmtpServer({
    backend,
    hostname: config.hostname,
    maxMessageSize: config.maxMessageSize,
    logger,
    onDelivery: (event) => {
      metrics.deliveries.inc({ channel: 'lmtp', result: event.result.status });
      if (event.result.status !== 'delivered') {
        logger.warn(
          { rcpt: event.result.recipient, status: event.result.status, err: event.result.error },
          `lmtp delivery to ${event.result.recipient} failed: ${event.result.message}`,
        );
      }
    },
    // --static-password: a recipient's account is created at first delivery, as at first login.
    ...(config.staticPassword !== null
      ? {
          createMissing: async (username: string) => {
            await ensureAccount(backend, username);
            return true;
          },
        }
      : {}),
  });
  let bound;
  try {
    bound = await lmtp.listen(address.port, address.host);
  } catch (err) {
    throw listenError(err as NodeJS.ErrnoException, 'LMTP', address);
  }
  let closing: Promise<void> | null = null;
  const close = () => (closing ??= lmtp.close());
  return {
    bound: [{ name: 'lmtp', address: { host: bound.address, port: bound.port } }],
    stopAccepting() {
      // smtp-server stops accepting as soon as close() starts; it then waits for transactions in progress.
      void close();
    },
    close,
    destroy() {
      // Nothing more to do: smtp-server's closeTimeout already ends the remaining sessions with 421.
    },
  };
}
