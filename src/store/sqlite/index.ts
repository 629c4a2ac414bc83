/**
 * The SQLite store (`mailroom/store/sqlite`): the daemon's default store, on better-sqlite3.
 *
 * One database file in the data directory holds accounts, mailboxes, messages and their bytes (chunked
 * blobs, see docs/storage.md). Durable on resolve (WAL, synchronous = FULL), one transaction per command,
 * and a change log polled every POLL_INTERVAL_MS so that writes by other processes (`mailroom deliver`, a
 * second daemon) reach this process's open mailboxes within a second.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { scramCredentialsOf } from '../../auth/scram-credential.ts';
import type { ScramCredentials } from '../../auth/types.ts';
import { StoreError } from '../errors.ts';
import type { AccountAdmin, Backend, ConnectionInfo, User } from '../types.ts';
import { openDatabase } from './schema.ts';
import { assertAccountName } from '../shared/account-names.ts';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../shared/limits.ts';
import { verifyOrDecoy } from '../shared/login-timing.ts';
import { OpenSet } from '../shared/open-set.ts';
import { settle } from '../shared/settle.ts';
import { SqliteStore } from './store.ts';
import { SqliteUser } from './user.ts';

export { SCHEMA_VERSION, MIGRATIONS, migrate, openDatabase, schemaVersion } from './schema.ts';
export { SqliteMailbox } from './mailbox.ts';
export { SqliteUser } from './user.ts';

/** File name of the database inside the data directory. */
export const DATABASE_FILE = 'mailroom.sqlite';

/** How often the change log is checked for other processes' commits: well inside the 1 s promise. */
export const POLL_INTERVAL_MS = 200;

/**
 * How long change records stay in the log. Pollers read them within one interval; the margin covers a
 * process paused (debugger, suspended VM) and keeps the table small.
 */
export const CHANGE_RETENTION_MS = 10 * 60_000;

/** Default largest message (shared/limits.ts explains the figure). */
export { DEFAULT_MAX_MESSAGE_SIZE };

/** Options of createSqliteBackend. */
export interface SqliteBackendOptions {
  /** Data directory; created when missing. The database is `<path>/mailroom.sqlite`. */
  readonly path: string;
  /** Largest message accepted by append, in octets ('tooBig' above). */
  readonly maxMessageSize?: number;
  /** Change-log poll interval in ms (tests may lower it). */
  readonly pollIntervalMs?: number;
  /** Change-log retention in ms. */
  readonly changeRetentionMs?: number;
  /** Called with errors of the background poller (the daemon logs them); they never crash the process. */
  readonly onError?: (error: unknown) => void;
}

/** The SQLite backend: Backend with openUser and account administration. */
export interface SqliteBackend extends Backend, AccountAdmin {
  /** Full path of the database file. */
  readonly file: string;
  openUser(username: string, info: ConnectionInfo): Promise<User | null>;
  scramCredentials(username: string): Promise<ScramCredentials | null>;
  /** Check the change log now for other processes' commits (the poller does it every interval). */
  pollChanges(): void;
  close(): Promise<void>;
}

/**
 * Open (creating and migrating as needed) the store in `options.path`. Synchronous, like better-sqlite3:
 * it throws when the file cannot be opened or its schema is newer than this code.
 */
export function createSqliteBackend(options: SqliteBackendOptions): SqliteBackend {
  // Owner-only: the database holds password hashes and everyone's mail.
  mkdirSync(options.path, { recursive: true, mode: 0o700 });
  const file = join(options.path, DATABASE_FILE);
  const db = openDatabase(file);
  const store = new SqliteStore(db);
  const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const retention = options.changeRetentionMs ?? CHANGE_RETENTION_MS;
  const users = new OpenSet<SqliteUser>();
  const report = options.onError ?? (() => {});
  let lastPrune = 0;

  const timer = setInterval(() => {
    try {
      store.poll();
      if (Date.now() - lastPrune > retention / 10) {
        lastPrune = Date.now();
        store.log.prune(retention);
      }
    } catch (err) {
      report(err);
    }
  }, options.pollIntervalMs ?? POLL_INTERVAL_MS);
  // The poller alone must not keep a process (the `deliver` CLI, a test) alive.
  timer.unref();

  const open = (id: number, username: string): SqliteUser => {
    // Tracked so that backend.close() can close what sessions left open; forgotten on user.close().
    return users.add(new SqliteUser(store, id, username, maxMessageSize, (u) => users.delete(u)));
  };

  const checkOpen = (): void => {
    if (!db.open) throw new StoreError('unavailable', 'store closed');
  };

  return {
    // Every SqliteMailbox implements MovableMailbox (atomic MOVE in one transaction).
    features: { move: true },
    file,
    async login(username: string, password: string): Promise<User> {
      checkOpen();
      const row = store.s.accountByName.get(username);
      const ok = await verifyOrDecoy(password, row?.password_hash);
      if (!row || !ok) throw new StoreError('authFailed', 'invalid user name or password');
      return open(row.id, row.username);
    },
    openUser(username: string): Promise<User | null> {
      return settle(() => {
        checkOpen();
        const row = store.s.accountByName.get(username);
        return row ? open(row.id, row.username) : null;
      });
    },
    scramCredentials(username: string): Promise<ScramCredentials | null> {
      return settle(() => {
        checkOpen();
        const row = store.s.accountByName.get(username);
        return row ? scramCredentialsOf(row.password_hash) : null;
      });
    },
    createAccount(username: string, passwordHash: string): Promise<void> {
      return settle(() => {
        checkOpen();
        assertAccountName(username);
        store.write(() => {
          if (store.s.accountByName.get(username)) throw new StoreError('exists', 'account already exists');
          const id = Number(store.s.insertAccount.run(username, passwordHash, Date.now()).lastInsertRowid);
          store.insertMailbox(id, 'INBOX', []);
        });
      });
    },
    setPasswordHash(username: string, passwordHash: string): Promise<void> {
      return settle(() => {
        checkOpen();
        store.write(() => {
          if (store.s.setHash.run(passwordHash, username).changes === 0) throw new StoreError('notFound', 'no such account');
        });
      });
    },
    deleteAccount(username: string): Promise<void> {
      return settle(() => {
        checkOpen();
        store.write((emit) => {
          const row = store.s.accountByName.get(username);
          if (!row) throw new StoreError('notFound', 'no such account');
          for (const box of store.s.mailboxesOf.all(row.id)) store.dropMailbox(username, box, emit);
          store.s.deleteSubscriptions.run(row.id);
          store.threads.deleteAccount(row.id);
          store.s.deleteAccount.run(row.id);
        });
        store.hub.clearAccount(username);
      });
    },
    listAccounts(): Promise<string[]> {
      return settle(() => {
        checkOpen();
        return store.s.listAccounts.all().map((r) => r.username);
      });
    },
    accountExists(username: string): Promise<boolean> {
      return settle(() => {
        checkOpen();
        return store.s.accountByName.get(username) !== undefined;
      });
    },
    pollChanges(): void {
      store.poll();
    },
    async close(): Promise<void> {
      if (!db.open) return;
      clearInterval(timer);
      await users.closeAll();
      db.close();
    },
  };
}
