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

/** File name of the SQLite database inside the data directory (for docs and tests). */
export const SQLITE_FILE_HINT = 'the SQLite store chooses its file names inside the data directory';

function assertDaemonBackend(backend: Backend, name: string): DaemonBackend {
  const b = backend as Partial<DaemonBackend>;
  for (const method of ['login', 'openUser', 'close', 'createAccount', 'setPasswordHash', 'deleteAccount', 'listAccounts', 'accountExists'] as const) {
    if (typeof b[method] !== 'function') throw new CliError(ExitCode.software, `the ${name} store lacks ${method}()`);
  }
  return backend as DaemonBackend;
}

/** Open the store chosen in the config. postgres:// is refused with EX_CONFIG: not implemented yet. */
export async function openStore(choice: StoreChoice, dataDir: string): Promise<DaemonBackend> {
  switch (choice.kind) {
    case 'postgres':
      throw new CliError(
        ExitCode.config,
        'store "postgres://..." is not implemented yet; use store = "sqlite" (the default) or "memory"',
      );
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
      return assertDaemonBackend(createSqliteBackend({ path: dataDir }), 'sqlite');
    }
  }
}
