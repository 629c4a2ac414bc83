/**
 * The POP3 listeners (plain with STLS, and POP3S) of the daemon, both served by one Pop3Server over the
 * store's INBOX. As for IMAP, the daemon owns the net/tls servers (port 0, connection counts); on SIGHUP
 * Pop3Server.setSecureContext() moves STLS and the POP3S listener to the new certificate.
 */
import { createServer as createNetServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Pop3Server, storePop3Handler } from '../../pop3/index.ts';
import { bindListeners } from '../listen.ts';
import type { RunningService, ServiceContext } from '../service.ts';
import { pop3CommandMetrics } from './pop3-metrics.ts';

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
    tls: tls.secureContextOptions(),
    allowInsecureAuth: config.allowInsecureAuth,
    loopbackIsSecure: true,
    logger,
    onCommand: pop3CommandMetrics(metrics),
    // mailroom_auth_failures_total is counted by the backend wrapper (accounts.ts withMetrics) for password
    // logins; this line adds who and from where, for operators and log-based blockers (fail2ban).
    onAuthFailure: ({ connectionId, command, mechanism, username, remoteAddress, secure }) =>
      logger.info({ session: connectionId, command, mechanism, user: username, remote: remoteAddress, secure }, 'pop3 authentication failed'),
  });
  // TlsManager.reload() has validated the new pair already; this cannot fail on its material.
  tls.onReload(() => pop3.setSecureContext(tls.secureContextOptions()));

  const listeners = await bindListeners(
    wanted,
    config,
    metrics,
    (name) => {
      if (name === 'pop3') return createNetServer({ allowHalfOpen: true });
      const tlsServer = createTlsServer({ ...tls.serverOptions(), allowHalfOpen: true });
      tlsServer.on('tlsClientError', (err) => logger.debug({ err: err.message }, 'pop3s handshake failed'));
      // No tls.track(): pop3.serve() registers it, and pop3.setSecureContext() updates it on reload.
      return tlsServer;
    },
    (server) => pop3.serve(server),
  );

  return {
    ...listeners,
    async close() {
      // Tells every session the server is going away and waits for them to end (maildrops unlocked;
      // nothing is deleted for sessions that did not QUIT, RFC 1939 section 6).
      await pop3.close();
    },
  };
}
