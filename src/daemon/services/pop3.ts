/**
 * The POP3 listeners (plain with STLS, and POP3S) of the daemon, both served by one Pop3Server over the
 * store's INBOX. As for IMAP, the daemon owns the net/tls servers (port 0, connection counts, SIGHUP).
 */
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type SecureContext } from 'node:tls';
import { Pop3Server, storePop3Handler } from '../../pop3/index.ts';
import type { ListenAddress } from '../address.ts';
import type { ListenerName } from '../config.ts';
import { bindServer, countConnections, stopAccepting } from '../listen.ts';
import type { RunningService, ServiceContext } from '../service.ts';
import { pop3MetricsLogger } from './pop3-metrics.ts';

/**
 * Point STLS at the current certificate after SIGHUP. Pop3Server reads its context from the session config
 * it shares with every connection and offers no setter yet; until it does (setSecureContext, asked for),
 * the daemon replaces that one field.
 */
function swapStlsContext(pop3: Pop3Server, context: SecureContext): boolean {
  const withSetter = pop3 as unknown as { setSecureContext?: (context: SecureContext) => void };
  if (typeof withSetter.setSecureContext === 'function') {
    withSetter.setSecureContext(context);
    return true;
  }
  const internal = pop3 as unknown as { config?: { secureContext?: SecureContext | null } };
  if (internal.config && 'secureContext' in internal.config) {
    internal.config.secureContext = context;
    return true;
  }
  return false;
}

/** Start the pop3/pop3s listeners that the config enables; null when neither is. */
export async function startPop3(ctx: ServiceContext): Promise<RunningService | null> {
  const { config, tls, metrics } = ctx;
  const wanted = (['pop3', 'pop3s'] as const).filter((name) => config.listeners[name] !== undefined);
  if (wanted.length === 0) return null;
  const logger = ctx.logger.child({ proto: 'pop3' });
  const pop3 = new Pop3Server({
    hostname: config.hostname,
    onConnection: storePop3Handler(ctx.backend, {
      onError: (err) => logger.error({ err }, 'pop3 handler error'),
    }),
    tls: { cert: tls.serverOptions().cert, key: tls.serverOptions().key, minVersion: tls.minVersion },
    allowInsecureAuth: config.allowInsecureAuth,
    loopbackIsSecure: true,
    logger: pop3MetricsLogger(logger, metrics),
  });
  tls.onReload((context) => {
    if (!swapStlsContext(pop3, context)) logger.warn('POP3 STLS keeps its previous certificate until restart');
  });

  const servers: NetServer[] = [];
  const sockets: Array<Set<Socket>> = [];
  const bound: Array<{ name: ListenerName; address: ListenAddress }> = [];
  try {
    for (const name of wanted) {
      const address = config.listeners[name]!;
      let server: NetServer;
      if (name === 'pop3s') {
        const tlsServer = createTlsServer({ ...tls.serverOptions(), allowHalfOpen: true });
        tlsServer.on('tlsClientError', (err) => logger.debug({ err: err.message }, 'pop3s handshake failed'));
        tls.track(tlsServer);
        server = tlsServer;
      } else {
        server = createNetServer({ allowHalfOpen: true });
      }
      sockets.push(countConnections(server, name, metrics));
      pop3.serve(server);
      servers.push(server);
      bound.push({ name, address: await bindServer(server, address, name.toUpperCase()) });
    }
  } catch (err) {
    for (const server of servers) stopAccepting(server);
    throw err;
  }

  return {
    bound,
    stopAccepting() {
      for (const server of servers) stopAccepting(server);
    },
    async close() {
      // Tells every session the server is going away and waits for them to end (maildrops unlocked;
      // nothing is deleted for sessions that did not QUIT, RFC 1939 section 6).
      await pop3.close();
    },
    destroy() {
      for (const set of sockets) for (const socket of set) socket.destroy();
    },
  };
}
