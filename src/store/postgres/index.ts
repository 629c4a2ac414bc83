/**
 * The PostgreSQL store (`mailroom/store/postgres`): the multi-node store (DESIGN.md sections 1 and 3).
 *
 * Accounts, mailboxes, messages and their bytes (chunked bytea) live in one schema of one database, which
 * any number of Mailroom processes ("nodes") share. Every command is one transaction that locks the mailbox
 * rows it changes, so two nodes appending at once get distinct ascending UIDs; a change written by one node
 * reaches the open mailboxes of every other node through LISTEN/NOTIFY plus catch-up from a change log
 * (feed.ts). Durable on resolve: a promise resolves after COMMIT returned.
 */
import pg from 'pg';
import { scramCredentialsOf } from '../../auth/scram-credential.ts';
import type { ScramCredentials } from '../../auth/types.ts';
import { StoreError } from '../errors.ts';
import { assertAccountName } from '../shared/account-names.ts';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../shared/limits.ts';
import { verifyOrDecoy } from '../shared/login-timing.ts';
import { OpenSet } from '../shared/open-set.ts';
import type { AccountAdmin, Backend, ConnectionInfo, User } from '../types.ts';
import { KeyedQueue, checkSchemaName, clientConfig, isUniqueViolation, one, rows } from './db.ts';
import { PgFeed } from './feed.ts';
import { migratePostgres } from './schema.ts';
import { PgStore, type PgMailboxRow } from './store.ts';
import { PgUser } from './user.ts';

export { PG_MIGRATIONS, PG_SCHEMA_VERSION, migratePostgres, pgSchemaVersion } from './schema.ts';
export { PgMailbox } from './mailbox.ts';
export { PgUser } from './user.ts';

/** Schema used when none is given. */
export const DEFAULT_SCHEMA = 'mailroom';

/** Default largest message: the same as the SQLite store's (shared/limits.ts explains the figure). */
export const PG_DEFAULT_MAX_MESSAGE_SIZE = DEFAULT_MAX_MESSAGE_SIZE;

/**
 * How long change records stay in the log. Nodes read a record within milliseconds of its NOTIFY; the
 * margin covers a node cut off from the database (its LISTEN connection down) for a while, which catches up
 * on reconnect; a node away for longer gets 'gone' for its open mailboxes.
 */
export const PG_CHANGE_RETENTION_MS = 10 * 60_000;

/** How often each node prunes the change log (any node may; deleting twice is harmless). */
export const PG_PRUNE_INTERVAL_MS = 60_000;

/**
 * Connections per node. Commands hold one for a transaction's few milliseconds; readers of large bodies
 * take one per chunk. Ten covers a busy node without exhausting the server's default max_connections (100)
 * when several nodes share it.
 */
export const PG_POOL_SIZE = 10;

/** Options of createPostgresBackend. */
export interface PostgresBackendOptions {
  /** libpq-style URL, e.g. postgres://mailroom:secret@db.example.org:5432/mail. */
  readonly connectionString: string;
  /** Schema holding the store's tables (created when missing). Default "mailroom". */
  readonly schema?: string;
  /** Largest message accepted by append, in octets ('tooBig' above). */
  readonly maxMessageSize?: number;
  /** Called with background errors (lost LISTEN connection, pruning); they never crash the process. */
  readonly onError?: (error: unknown) => void;
  /** Change-log retention in ms (default PG_CHANGE_RETENTION_MS). */
  readonly changeRetentionMs?: number;
  /** Pool size (default PG_POOL_SIZE). */
  readonly poolSize?: number;
  /** application_name of this node's connections, as pg_stat_activity shows it (default "mailroom"). */
  readonly applicationName?: string;
}

/** The PostgreSQL backend: Backend with openUser and account administration. */
export interface PostgresBackend extends Backend, AccountAdmin {
  /** The schema in use. */
  readonly schema: string;
  openUser(username: string, info: ConnectionInfo): Promise<User | null>;
  scramCredentials(username: string): Promise<ScramCredentials | null>;
  /** Delete change records older than the retention now (a timer does it every PG_PRUNE_INTERVAL_MS). */
  pruneChanges(retentionMs?: number): Promise<void>;
  /** Times the LISTEN connection was established (1 after start; more after reconnects). */
  readonly listenConnects: number;
  close(): Promise<void>;
}

/**
 * Connect, create or migrate the schema (under an advisory lock, so nodes starting together migrate once),
 * open the LISTEN connection, and return the backend. Rejects when the database is unreachable or its
 * schema is newer than this code.
 */
export async function createPostgresBackend(options: PostgresBackendOptions): Promise<PostgresBackend> {
  const schema = checkSchemaName(options.schema ?? DEFAULT_SCHEMA);
  const appName = options.applicationName ?? 'mailroom';
  const report = options.onError ?? (() => {});
  const pool = new pg.Pool({ ...clientConfig(options.connectionString, schema, appName), max: options.poolSize ?? PG_POOL_SIZE });
  // An idle pooled connection dropped by the server emits 'error' on the pool; unhandled, it would crash.
  pool.on('error', (err) => report(err));
  const channel = `mr_${schema}`;
  const queue = new KeyedQueue();
  const feed = new PgFeed({
    pool,
    listenConfig: clientConfig(options.connectionString, schema, `${appName} listen`),
    channel,
    queue,
    onError: report,
  });
  const store = new PgStore(pool, feed, channel, queue);
  try {
    await migratePostgres(pool, schema);
    await feed.start();
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }

  const maxMessageSize = options.maxMessageSize ?? PG_DEFAULT_MAX_MESSAGE_SIZE;
  const retention = options.changeRetentionMs ?? PG_CHANGE_RETENTION_MS;
  const users = new OpenSet<PgUser>();

  const prune = async (ms: number = retention): Promise<void> => {
    store.check();
    await rows(pool, `DELETE FROM changes WHERE created_at < now() - make_interval(secs => $1)`, [ms / 1000]);
  };
  const timer = setInterval(() => {
    prune().catch((err: unknown) => report(err));
  }, PG_PRUNE_INTERVAL_MS);
  // The timer alone must not keep a process (the `deliver` CLI, a test) alive.
  timer.unref();

  const open = (id: number, username: string): PgUser => {
    // Tracked so that backend.close() can close what sessions left open; forgotten on user.close().
    return users.add(new PgUser(store, { id, name: username }, maxMessageSize, (u) => users.delete(u)));
  };

  const account = (username: string): Promise<{ id: number; username: string; password_hash: string } | undefined> =>
    // PostgreSQL text cannot hold U+0000 (the query would fail) and a lone surrogate would be sent as U+FFFD
    // (matching another name): neither can be an account name (shared/account-names.ts), so none is found.
    /\u0000|\p{Cs}/u.test(username)
      ? Promise.resolve(undefined)
      : one(pool, 'SELECT id, username, password_hash FROM accounts WHERE username = $1', [username]);

  return {
    // Every PgMailbox implements MovableMailbox (atomic MOVE in one transaction).
    features: { move: true },
    schema,
    get listenConnects(): number {
      return feed.connects;
    },
    async login(username: string, password: string): Promise<User> {
      store.check();
      const row = await account(username);
      const ok = await verifyOrDecoy(password, row?.password_hash);
      if (!row || !ok) throw new StoreError('authFailed', 'invalid user name or password');
      return open(row.id, row.username);
    },
    async openUser(username: string): Promise<User | null> {
      store.check();
      const row = await account(username);
      return row ? open(row.id, row.username) : null;
    },
    async scramCredentials(username: string): Promise<ScramCredentials | null> {
      store.check();
      const row = await account(username);
      return row ? scramCredentialsOf(row.password_hash) : null;
    },
    async createAccount(username: string, passwordHash: string): Promise<void> {
      store.check();
      assertAccountName(username);
      try {
        await store.write(username, async (tx) => {
          if (await one(tx.client, 'SELECT 1 FROM accounts WHERE username = $1', [username])) {
            throw new StoreError('exists', 'account already exists');
          }
          const row = await one<{ id: number }>(tx.client, 'INSERT INTO accounts (username, password_hash) VALUES ($1, $2) RETURNING id', [
            username,
            passwordHash,
          ]);
          await store.insertMailbox(tx.client, row!.id, 'INBOX', []);
        });
      } catch (err) {
        // Two nodes creating the same account at once: the second hits the unique constraint.
        if (isUniqueViolation(err)) throw new StoreError('exists', 'account already exists');
        throw err;
      }
    },
    async setPasswordHash(username: string, passwordHash: string): Promise<void> {
      store.check();
      const done = await rows(pool, 'UPDATE accounts SET password_hash = $1 WHERE username = $2 RETURNING id', [passwordHash, username]);
      if (done.length === 0) throw new StoreError('notFound', 'no such account');
    },
    async deleteAccount(username: string): Promise<void> {
      store.check();
      await store.write(username, async (tx) => {
        const row = await one<{ id: number }>(tx.client, 'SELECT id FROM accounts WHERE username = $1 FOR UPDATE', [username]);
        if (!row) throw new StoreError('notFound', 'no such account');
        const ids = (await rows<{ id: number }>(tx.client, 'SELECT id FROM mailboxes WHERE account_id = $1', [row.id])).map((r) => r.id);
        const locked = await store.lockByIds(tx.client, ids);
        for (const box of locked.values() as Iterable<PgMailboxRow>) await store.dropMailbox(tx, box);
        await rows(tx.client, 'DELETE FROM subscriptions WHERE account_id = $1', [row.id]);
        await rows(tx.client, 'DELETE FROM threads WHERE account_id = $1', [row.id]);
        await rows(tx.client, 'DELETE FROM accounts WHERE id = $1', [row.id]);
      });
      feed.hub.clearAccount(username);
    },
    async listAccounts(): Promise<string[]> {
      store.check();
      const found = await rows<{ username: string }>(pool, 'SELECT username FROM accounts');
      return found.map((r) => r.username).sort();
    },
    async accountExists(username: string): Promise<boolean> {
      store.check();
      return (await account(username)) !== undefined;
    },
    pruneChanges(retentionMs?: number): Promise<void> {
      return prune(retentionMs);
    },
    async close(): Promise<void> {
      if (!store.open) return;
      clearInterval(timer);
      await users.closeAll();
      store.markClosed();
      // Stop the feed first (no new catch-up work), then let commands already running finish (their
      // promises then resolve normally) before the pool goes.
      await feed.close();
      await store.queue.idle();
      await pool.end();
    },
  };
}
