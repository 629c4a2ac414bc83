/**
 * The IMAP listeners (plain with STARTTLS, and IMAPS) of the daemon, both served by one ImapServer.
 * The daemon creates the net/tls servers itself and hands them to ImapServer.serve(), so that it can bind
 * port 0 and read the port back, count connections, and swap the IMAPS certificate on SIGHUP.
 */
import { createServer as createNetServer } from 'node:net';
import { createServer as createTlsServer, TLSSocket } from 'node:tls';
import { NO_STATUS, commandTable, ImapError, ImapServer, type CommandSpec, type ConnectionUpgrader } from '../../imap/index.ts';
import { isStoreError } from '../../store/errors.ts';
import { bindListeners } from '../listen.ts';
import type { DaemonMetrics } from '../metrics.ts';
import type { RunningService, ServiceContext } from '../service.ts';

/** Commands whose duration is the client's idle time, not work: counted, but kept out of the latency histogram. */
const UNTIMED_COMMANDS = new Set(['IDLE']);

/** Result label of a finished command. */
function resultOf(value: unknown): string {
  if (value === NO_STATUS || value === undefined || value === null) return 'ok';
  const status = (value as { status?: string }).status;
  return status ? status.toLowerCase() : 'ok';
}

function errorResultOf(err: unknown): string {
  if (err instanceof ImapError) return err.status.toLowerCase();
  if (isStoreError(err)) return 'no';
  return 'error';
}

/** Wrap a command so that it counts in mailroom_commands_total and mailroom_command_duration_seconds. */
export function instrumentCommand<A>(spec: CommandSpec<A>, metrics: DaemonMetrics, protocol = 'imap'): CommandSpec<A> {
  const timed = !UNTIMED_COMMANDS.has(spec.name);
  return {
    ...spec,
    parse: spec.parse.bind(spec),
    async run(context, args) {
      const end = timed ? metrics.commandDuration.startTimer({ protocol, command: spec.name }) : undefined;
      try {
        const result = await spec.run(context, args);
        metrics.commands.inc({ protocol, command: spec.name, result: resultOf(result) });
        return result;
      } catch (err) {
        metrics.commands.inc({ protocol, command: spec.name, result: errorResultOf(err) });
        throw err;
      } finally {
        end?.();
      }
    },
  };
}

/**
 * Every command the server runs, wrapped by instrumentCommand: the base table and the commands of the
 * enabled extensions (IDLE, MOVE, ID ...). Each name is wrapped once, around the spec the server currently
 * runs for it (an extension may replace a base command), so re-enabling the result replaces them all.
 */
export function instrumentedCommands(imap: ImapServer, metrics: DaemonMetrics): CommandSpec[] {
  const names = new Set<string>(commandTable.map((spec) => spec.name.toUpperCase()));
  for (const ext of imap.enabledExtensions()) for (const spec of ext.commands ?? []) names.add(spec.name.toUpperCase());
  const out: CommandSpec[] = [];
  for (const name of names) {
    const spec = imap.command(name);
    if (spec) out.push(instrumentCommand(spec, metrics));
  }
  return out;
}

/** Start the imap/imaps listeners that the config enables; null when neither is. */
export async function startImap(ctx: ServiceContext): Promise<RunningService | null> {
  const { config, tls, metrics } = ctx;
  const wanted = (['imap', 'imaps'] as const).filter((name) => config.listeners[name] !== undefined);
  if (wanted.length === 0) return null;
  const logger = ctx.logger.child({ proto: 'imap' });
  const imap = new ImapServer({
    backend: ctx.backend,
    // Enables STARTTLS; the upgrader below replaces the built-in one so that SIGHUP reloads reach it.
    tls: { cert: tls.serverOptions().cert, key: tls.serverOptions().key, minVersion: tls.minVersion },
    allowInsecureAuth: config.allowInsecureAuth,
    loopbackIsSecure: true,
    logger,
    autoLogout: config.autoLogoutSeconds * 1000,
    maxLiteralSize: config.maxMessageSize,
  });
  const starttls: ConnectionUpgrader = {
    secure: true,
    upgrade: (stream) => new TLSSocket(stream, { isServer: true, secureContext: tls.context }),
  };
  imap.enable({
    name: 'mailroom-daemon',
    upgraders: { starttls },
    commands: instrumentedCommands(imap, metrics),
  });

  const listeners = await bindListeners(
    wanted,
    config,
    metrics,
    (name) => {
      if (name === 'imap') return createNetServer();
      const tlsServer = createTlsServer(tls.serverOptions());
      tlsServer.on('tlsClientError', (err) => logger.debug({ err: err.message }, 'imaps handshake failed'));
      tls.track(tlsServer);
      return tlsServer;
    },
    (server) => imap.serve(server),
  );

  return {
    ...listeners,
    async close() {
      // BYE every session. ImapServer.close() is not used: it waits for its listeners' close callbacks,
      // which Node only calls once every connection has ended, before it sends BYE.
      await Promise.allSettled(imap.connections().map((c) => c.close('Server shutting down.')));
    },
  };
}
