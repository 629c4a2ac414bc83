/**
 * Opening the configured store. This is the one place (with the rest of daemon/) that names concrete stores
 * (DESIGN.md section 1). Stores are imported lazily so that `--store memory` never loads the SQLite addon.
 */
import { mkdirSync } from 'node:fs';
import type { AccountAdmin, Backend, User } from '../store/types.ts';
import type { StoreChoice } from './config.ts';
import { CliError, ExitCode } from './exit-codes.ts';

/** What the daemon needs from a store: the contract, account administration, password-less open, close. */
export type DaemonBackend = Backend &
  AccountAdmin & {
    openUser(username: string, info: Parameters<NonNullable<Backend['openUser']>>[1]): Promise<User | null>;
    close(): Promise<void>;
  };

function assertDaemonBackend(backend: Backend, name: string): DaemonBackend {
  const b = backend as Partial<DaemonBackend>;
  for (const method of ['login', 'openUser', 'close', 'createAccount', 'setPasswordHash', 'deleteAccount', 'listAccounts', 'accountExists'] as const) {
    if (typeof b[method] !== 'function') throw new CliError(ExitCode.software, `the ${name} store lacks ${method}()`);
  }
  return backend as DaemonBackend;
}

/** Options of openStore. */
export interface OpenStoreOptions {
  /** Largest message the store accepts ('tooBig' above): the config's limits.max_message_size. */
  readonly maxMessageSize?: number;
  /** Errors of the store's background work (the SQLite change-log poller); they never crash the process. */
  readonly onError?: (error: unknown) => void;
}

/** Open the store chosen in the config: SQLite in the data directory, memory, or PostgreSQL by URL. */
export async function openStore(choice: StoreChoice, dataDir: string, options: OpenStoreOptions = {}): Promise<DaemonBackend> {
  switch (choice.kind) {
    case 'postgres': {
      const { createPostgresBackend } = await import('../store/postgres/index.ts');
      try {
        return assertDaemonBackend(await createPostgresBackend({ connectionString: choice.url, ...options }), 'postgres');
      } catch (err) {
        if (err instanceof CliError) throw err;
        // Unreachable server, authentication, newer schema: report without the URL (it may hold a password).
        throw new CliError(ExitCode.tempFail, `cannot open the PostgreSQL store: ${(err as Error).message}`, { cause: err });
      }
    }
    case 'memory': {
      const { createMemoryBackend } = await import('../store/memory/index.ts');
      return assertDaemonBackend(createMemoryBackend(), 'memory');
    }
    case 'sqlite': {
      try {
        mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      } catch (err) {
        throw new CliError(ExitCode.cantCreate, `cannot create data directory ${dataDir}: ${(err as Error).message}`);
      }
      const { createSqliteBackend } = await import('../store/sqlite/index.ts');
      try {
        return assertDaemonBackend(createSqliteBackend({ path: dataDir, ...options }), 'sqlite');
      } catch (err) {
        if (err instanceof CliError) throw err;
        // Unreadable file, newer schema, locked beyond the busy timeout: the caller may retry later.
        throw new CliError(ExitCode.tempFail, `cannot open the SQLite store in ${dataDir}: ${(err as Error).message}`, { cause: err });
      }
    }
  }
}
