/** Small network helpers shared by the benchmark servers. */
import { createServer, connect } from 'node:net';

/** Time allowed for a server to accept its first connection after start. */
export const SERVER_READY_TIMEOUT_MS = 30_000;

/** A free TCP port on 127.0.0.1 (bind port 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Resolve once 127.0.0.1:port accepts connections; reject after SERVER_READY_TIMEOUT_MS. */
export async function waitForPort(port: number, isAlive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + SERVER_READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`server exited before listening on port ${port}`);
    if (await tryConnect(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${SERVER_READY_TIMEOUT_MS} ms`);
}
