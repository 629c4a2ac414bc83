/**
 * Binding listeners: port 0 support (the bound address is read back and logged), EADDRINUSE mapped to a
 * clear start-up error, and connection counting for metrics.
 */
import type { Server as NetServer, AddressInfo, Socket } from 'node:net';
import { formatAddress, type ListenAddress } from './address.ts';
import { CliError, ExitCode } from './exit-codes.ts';
import type { DaemonMetrics } from './metrics.ts';

/** Listen on `address`; resolves the address actually bound (the real port when 0 was asked). */
export function bindServer(server: NetServer, address: ListenAddress, what: string): Promise<ListenAddress> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.removeListener('listening', onListening);
      const reason =
        err.code === 'EADDRINUSE'
          ? 'address already in use'
          : err.code === 'EACCES'
            ? 'permission denied (ports below 1024 need privileges)'
            : err.code === 'EADDRNOTAVAIL'
              ? 'address not available on this host'
              : err.message;
      reject(new CliError(ExitCode.ioError, `cannot listen for ${what} on ${formatAddress(address)}: ${reason}`, { cause: err }));
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
