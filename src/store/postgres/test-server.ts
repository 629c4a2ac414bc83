/**
 * A PostgreSQL for tests: `MAILROOM_TEST_POSTGRES` (a connection string) when set; otherwise a throwaway
 * cluster started from the installed binaries (/usr/lib/postgresql/<version>/bin) in a temporary directory,
 * on a free 127.0.0.1 port with its unix socket in that directory, as the `postgres` user when running as
 * root (the server refuses to run as root). When neither exists, `startTestPostgres` rejects with a message
 * that says how to get one (scripts/ci-postgres.sh).
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A database to test against. */
export interface TestPostgres {
  readonly connectionString: string;
  /** Stop and delete the throwaway cluster (nothing for an external database). */
  stop(): Promise<void>;
}

/** The newest installed server's bin directory, or null. */
export function findPostgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0], 'bin') : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Look up a user's uid/gid from /etc/passwd via `id` (no extra dependency). */
async function userIds(name: string): Promise<{ uid: number; gid: number } | null> {
  try {
    const uid = Number((await run('id', ['-u', name])).stdout.trim());
    const gid = Number((await run('id', ['-g', name])).stdout.trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

/** Start (or point at) a PostgreSQL for tests. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const external = process.env.MAILROOM_TEST_POSTGRES;
  if (external) return { connectionString: external, stop: () => Promise.resolve() };
  const bin = findPostgresBin();
  if (!bin) {
    throw new Error(
      'PostgreSQL tests need a server: set MAILROOM_TEST_POSTGRES=postgres://... or install the binaries ' +
        '(scripts/ci-postgres.sh, i.e. apt-get install postgresql); set MAILROOM_SKIP_POSTGRES=1 to skip them',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'mailroom-pg-'));
  const data = join(dir, 'data');
  const isRoot = process.getuid?.() === 0;
  // As root, every server command runs as the postgres user, who must own the directory.
  let asUser = async (file: string, args: string[]): Promise<void> => {
    await run(file, args, { timeout: 60_000 });
  };
  if (isRoot) {
    const ids = await userIds('postgres');
    if (!ids) throw new Error('running as root, but there is no "postgres" user to run the test server as');
    chownSync(dir, ids.uid, ids.gid);
    asUser = async (file, args) => {
      await run('runuser', ['-u', 'postgres', '--', file, ...args], { timeout: 60_000 });
    };
  }
  const port = await freePort();
  try {
    await asUser(join(bin, 'initdb'), ['-D', data, '-U', 'mailroom', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
    // fsync off: a throwaway cluster never needs to survive a crash, and the tests then spare the shared disk.
    const serverOptions = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    await asUser(join(bin, 'pg_ctl'), ['-D', data, '-o', serverOptions, '-l', join(dir, 'server.log'), '-w', 'start']);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start a throwaway PostgreSQL in ${dir}: ${(err as Error).message}`, { cause: err });
  }
  return {
    connectionString: `postgres://mailroom@127.0.0.1:${port}/postgres`,
    async stop() {
      try {
        await asUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
