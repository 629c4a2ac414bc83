/**
 * Binding listeners: port 0 support (the bound address is read back and logged), EADDRINUSE mapped to a
 * clear start-up error, and connection counting for metrics.
 */
import type { Server as NetServer, AddressInfo, Socket } from 'node:net';
import { formatAddress, type ListenAddress } from './address.ts';
import type { DaemonConfig, ListenerName } from './config.ts';
import { CliError, ExitCode } from './exit-codes.ts';
import type { DaemonMetrics } from './metrics.ts';

/** The start-up error for a listener that could not bind, with the usual causes in words. */
export function listenError(err: NodeJS.ErrnoException, what: string, address: ListenAddress): CliError {
  const reason =
    err.code === 'EADDRINUSE'
      ? 'address already in use'
      : err.code === 'EACCES'
        ? 'permission denied (ports below 1024 need privileges)'
        : err.code === 'EADDRNOTAVAIL'
          ? 'address not available on this host'
          : err.message;
  return new CliError(ExitCode.ioError, `cannot listen for ${what} on ${formatAddress(address)}: ${reason}`, { cause: err });
}

/** Listen on `address`; resolves the address actually bound (the real port when 0 was asked). */
export function bindServer(server: NetServer, address: ListenAddress, what: string): Promise<ListenAddress> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.removeListener('listening', onListening);
      reject(listenError(err, what, address));
    };
    const onListening = () => {
      server.removeListener('error', onError);
      const bound = server.address() as AddressInfo;
      resolve({ host: bound.address, port: bound.port });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host: address.host, port: address.port, exclusive: true });
  });
}

/**
 * Count accepted and open connections of `server` under `protocol`; returns the live sockets, which
 * shutdown destroys when its deadline passes.
 */
export function countConnections(server: NetServer, protocol: string, metrics: DaemonMetrics): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    metrics.connections.inc({ protocol });
    metrics.activeConnections.inc({ protocol });
    socket.once('close', () => {
      sockets.delete(socket);
      metrics.activeConnections.dec({ protocol });
    });
  });
  return sockets;
}

/**
 * Stop accepting on a server. Returns at once: close()'s callback only fires when every connection has
 * ended, and the sessions are ended separately (BYE) by their protocol server.
 */
export function stopAccepting(server: NetServer): void {
  if (server.listening) server.close();
}

/** The listeners of one protocol service (e.g. imap and imaps), bound and counted. */
export interface ListenerGroup {
  /** Bound addresses by listener, in start order (port 0 resolved). */
  readonly bound: ReadonlyArray<{ readonly name: ListenerName; readonly address: ListenAddress }>;
  /** Stop accepting on every listener of the group. */
  stopAccepting(): void;
  /** Destroy every connection still open on the group's listeners (shutdown deadline reached). */
  destroy(): void;
}

/**
 * Create, count, serve and bind each listener of `names` that the config enables, in order. `create` builds
 * the net or tls server for a name; `serve` hands it to the protocol server before it binds. If one fails
 * to bind, those already bound stop accepting and the error (a CliError) propagates.
 */
export async function bindListeners<N extends ListenerName>(
  names: readonly N[],
  config: DaemonConfig,
  metrics: DaemonMetrics,
  create: (name: N) => NetServer,
  serve: (server: NetServer) => void,
): Promise<ListenerGroup> {
  const servers: NetServer[] = [];
  const sockets: Array<Set<Socket>> = [];
  const bound: Array<{ name: ListenerName; address: ListenAddress }> = [];
  try {
    for (const name of names) {
      const address = config.listeners[name];
      if (address === undefined) continue;
      const server = create(name);
      sockets.push(countConnections(server, name, metrics));
      serve(server);
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
    destroy() {
      for (const set of sockets) for (const socket of set) socket.destroy();
    },
  };
}
