/**
 * `mailroom serve`: the daemon's lifecycle. Start-up order: config checks, logger, store, demo account,
 * TLS, listeners (each bound address logged as `listening: NAME=HOST:PORT`), then `ready`. SIGTERM/SIGINT:
 * stop accepting, end every session gracefully (IMAP BYE ...), close the store, flush, exit 0 within
 * SHUTDOWN_DEADLINE_MS. SIGHUP: reload the TLS certificate without dropping sessions.
 */
import type { Server as HttpServer } from 'node:http';
import { formatAddress, isLoopbackHost, type ListenAddress } from './address.ts';
import { createDemoAccountIfEmpty, DEMO_USER, withMetrics, withStaticPassword } from './accounts.ts';
import { LISTENERS, type DaemonConfig, type ListenerName } from './config.ts';
import { CliError, ExitCode } from './exit-codes.ts';
import { bindServer } from './listen.ts';
import { createLogger, type DaemonLogger } from './logger.ts';
import { createMetricsServer, DaemonMetrics } from './metrics.ts';
import type { RunningService, ServiceContext } from './service.ts';
import { startImap } from './services/imap.ts';
import { startLmtp } from './services/lmtp.ts';
import { startPop3 } from './services/pop3.ts';
import { openStore, type DaemonBackend } from './store.ts';
import { openTls } from './tls.ts';

/**
 * Time the graceful part of shutdown may take before remaining connections are destroyed: 8 s, so that
 * the process exits within the 10 s that systemd (TimeoutStopSec) and the docs promise.
 */
export const SHUTDOWN_DEADLINE_MS = 8000;

/** Refuse --static-password unless every listener is on loopback (it lets anyone log in as anyone). */
export function checkStaticPasswordListeners(config: DaemonConfig): void {
  if (config.staticPassword === null) return;
  for (const name of LISTENERS) {
    const address = config.listeners[name];
    if (address && !isLoopbackHost(address.host)) {
      throw new CliError(
        ExitCode.config,
        `static_password (--static-password) is refused: listener ${name} is on ${formatAddress(address)}, not a loopback address; ` +
          'every listener must be on 127.0.0.1, ::1 or localhost',
      );
    }
  }
}

function closeHttp(server: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Run the daemon until SIGTERM/SIGINT; resolves the exit code. */
export async function runServe(config: DaemonConfig): Promise<number> {
  checkStaticPasswordListeners(config);
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  // A promise rejected without a handler is a bug in one session's code path: log it with its stack and
  // keep serving everyone else (Node 20 would otherwise exit). An uncaught exception leaves the process in
  // an unknown state: log it and exit 70, for the supervisor to restart.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection (bug)'));
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, `uncaught exception: ${err.message}`);
    logger.flush();
    process.exit(ExitCode.software);
  });
  try {
    return await serveWithLogger(config, logger);
  } catch (err) {
    logger.fatal({ err }, `start-up failed: ${(err as Error).message}`);
    throw err;
  } finally {
    logger.flush();
  }
}

async function serveWithLogger(config: DaemonConfig, logger: DaemonLogger): Promise<number> {
  logger.info(
    { configFile: config.configFile, dataDir: config.dataDir, store: config.store.kind },
    `mailroom starting (store=${config.store.kind} data=${config.dataDir})`,
  );
  if (config.staticPassword !== null) {
    logger.warn('static password enabled: any user name logs in with it and its account is created at first login (load tests only)');
  }
  if (config.allowInsecureAuth) logger.warn('allow_insecure_auth is on: plaintext passwords are accepted without TLS on every connection');

  const metrics = new DaemonMetrics();
  const rawBackend = await openStore(config.store, config.dataDir, {
    maxMessageSize: config.maxMessageSize,
    onError: (err) => logger.error({ err }, 'store background error'),
  });
  const services: RunningService[] = [];
  let metricsServer: HttpServer | null = null;
  let shuttingDown = false;

  try {
    let backend: DaemonBackend = withMetrics(rawBackend, metrics);
    if (config.staticPassword !== null) backend = withStaticPassword(backend, config.staticPassword);

    const { manager: tls, generated } = await openTls(
      config.tls ? { kind: 'files', ...config.tls } : { kind: 'self-signed', dataDir: config.dataDir, hostname: config.hostname },
      config.tlsMinVersion,
    );
    if (generated) logger.info({ cert: tls.files.cert }, `generated a self-signed certificate for localhost and ${config.hostname}: ${tls.files.cert}`);

    const ctx: ServiceContext = { config, backend, logger, metrics, tls };
    const bound: Array<{ name: ListenerName; address: ListenAddress }> = [];
    for (const start of [startImap, startPop3, startLmtp]) {
      const service = await start(ctx);
      if (service) {
        services.push(service);
        bound.push(...service.bound);
      }
    }
    if (config.listeners.metrics) {
      metricsServer = createMetricsServer(metrics, () => !shuttingDown);
      bound.push({ name: 'metrics', address: await bindServer(metricsServer, config.listeners.metrics, 'metrics') });
    }
    // The demo account comes once every listener is bound: a start that fails (port in use) must not create
    // it, or its password, printed only once, would be lost with that failed start.
    if (config.demo) {
      const password = await createDemoAccountIfEmpty(rawBackend, config.hostname);
      if (password !== null) logger.info({ user: DEMO_USER }, `demo account created: user=${DEMO_USER} password=${password}`);
    }
    bound.sort((a, b) => LISTENERS.indexOf(a.name) - LISTENERS.indexOf(b.name));
    for (const { name, address } of bound) {
      logger.info({ listener: name, address: address.host, port: address.port }, `listening: ${name}=${formatAddress(address)}`);
    }
    if (bound.length === 0) logger.warn('no listener configured');

    const sighup = () => {
      try {
        tls.reload();
        logger.info({ cert: tls.files.cert }, 'TLS certificate reloaded');
      } catch (err) {
        logger.error({ err }, `TLS reload failed, keeping the previous certificate: ${(err as Error).message}`);
      }
    };
    process.on('SIGHUP', sighup);

    await new Promise<void>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        if (shuttingDown) {
          logger.info(`${signal} received again; shutdown already in progress`);
          return;
        }
        shuttingDown = true;
        logger.info({ signal }, `${signal} received: shutting down`);
        resolve();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      logger.info({ listeners: bound.length }, 'ready');
    });
    // The SIGHUP handler stays: without one, a SIGHUP during shutdown would kill the process.

    // Graceful shutdown: stop accepting everywhere first, then end sessions, under one deadline.
    for (const service of services) service.stopAccepting();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), SHUTDOWN_DEADLINE_MS);
    });
    const graceful = Promise.allSettled(services.map((s) => s.close())).then(() => 'done' as const);
    if ((await Promise.race([graceful, deadline])) === 'timeout') {
      logger.warn(`sessions still open after ${SHUTDOWN_DEADLINE_MS} ms: closing them`);
      for (const service of services) service.destroy();
    }
    clearTimeout(timer);
    services.length = 0;
    if (metricsServer) await closeHttp(metricsServer);
    metricsServer = null;
    await rawBackend.close();
    logger.info('stopped');
    return ExitCode.ok;
  } catch (err) {
    // Start-up failure: release what was started, then report.
    for (const service of services) {
      service.stopAccepting();
      service.destroy();
    }
    if (metricsServer) await closeHttp(metricsServer).catch(() => undefined);
    await rawBackend.close().catch(() => undefined);
    throw err;
  }
}
