/**
 * PostgreSQL plumbing for the store: pool construction, the transaction helper, a per-key serial queue and
 * the translation of server errors into StoreError kinds.
 */
import pg from 'pg';
import type { ClientConfig, PoolClient, QueryResultRow } from 'pg';
import { StoreError } from '../errors.ts';

/** pg's numeric type ids (pg_type.oid) the store reads differently from pg's defaults. */
const INT8_OID = 20;

/**
 * bigint columns come back as JavaScript numbers. pg returns strings for int8 because it cannot know the
 * range; every int8 the store keeps (ids, UIDs, MODSEQ, sizes, epoch milliseconds) stays far below 2^53.
 * Set per pool (not with the global pg.types) so that other pg users in the process are unaffected.
 */
export const STORE_TYPES: NonNullable<ClientConfig['types']> = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format ?? 'text') as unknown;
  }) as NonNullable<ClientConfig['types']>['getTypeParser'],
};

/** A valid unquoted-identifier schema name: it is spliced into `search_path`, so it is checked, not quoted. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,59}$/;

/** Check a schema name (lower-case identifier, at most 60 bytes: the NOTIFY channel "mr_<schema>" must fit NAMEDATALEN - 1 = 63). */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(schema)}`);
  return schema;
}

/**
 * Longest wait for a row lock (another node's command on the same mailbox). Commands hold locks for
 * milliseconds, a 50 MB append for about a second; past this the command fails with 'unavailable' (the
 * client may retry) instead of hanging behind a stuck node.
 */
export const PG_LOCK_TIMEOUT_MS = 30_000;

/**
 * A transaction left idle this long is aborted by the server, releasing its locks: a node frozen in the
 * middle of a command (SIGSTOP, a paused VM) must not block the mailbox for the other nodes for ever.
 */
export const PG_IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

/** Longest wait for a connection (pool exhausted or server unreachable) before 'unavailable'. */
export const PG_CONNECT_TIMEOUT_MS = 10_000;

/** Client settings shared by the pool and the LISTEN connection. */
export function clientConfig(connectionString: string, schema: string, applicationName: string): ClientConfig {
  return {
    connectionString,
    types: STORE_TYPES,
    // Every connection resolves table names in the store's schema only, so that two stores (or a test per
    // schema) can share one database.
    options: [
      `-c search_path=${schema}`,
      `-c lock_timeout=${PG_LOCK_TIMEOUT_MS}`,
      `-c idle_in_transaction_session_timeout=${PG_IDLE_IN_TRANSACTION_TIMEOUT_MS}`,
    ].join(' '),
    application_name: applicationName,
    // TCP keepalive: a LISTEN connection to a vanished server is noticed (and re-opened) instead of waiting
    // silently for notifications that will never come.
    keepAlive: true,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
  };
}

/** Minimal query surface shared by a pool and a transaction's client. */
export interface Queryable {
  query<R extends QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** Rows of a query. */
export async function rows<R extends QueryResultRow>(db: Queryable, sql: string, params: readonly unknown[] = []): Promise<R[]> {
  try {
    return (await db.query<R>(sql, params)).rows;
  } catch (err) {
    throw translatePgError(err);
  }
}

/** First row of a query, or undefined. */
export async function one<R extends QueryResultRow>(db: Queryable, sql: string, params: readonly unknown[] = []): Promise<R | undefined> {
  return (await rows<R>(db, sql, params))[0];
}

/**
 * Run `fn` in one transaction on one pooled connection: COMMIT when it resolves (durable when COMMIT
 * returns, synchronous_commit being on by default), ROLLBACK when it throws.
 */
export async function transaction<T>(
  pool: pg.Pool,
  fn: (client: PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw translatePgError(err);
  }
  let broken = false;
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch {
      // The connection itself failed: do not give it back to the pool.
      broken = true;
    }
    throw translatePgError(err);
  } finally {
    client.release(broken);
  }
}

/**
 * Runs async jobs one at a time per key, in call order. The store keys it by account: a mutation and the
 * delivery of its change records happen inside one job, so this process's listeners of a mailbox see
 * records in MODSEQ order even though pg calls interleave. A job must never wait for another job of the
 * same key (it would wait for ever).
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<void>>();

  /** Run `job` after every earlier job of `key` settled. */
  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(job);
    const tail = result.then(
      () => {},
      () => {},
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Resolves when every job queued so far has settled. */
  async idle(): Promise<void> {
    while (this.#tails.size > 0) await Promise.all([...this.#tails.values()]);
  }
}

/** SQLSTATE codes that mean "try again": serialization failure, deadlock, lock or statement timeout. */
const RETRYABLE = new Set(['40001', '40P01', '55P03', '57014', '53300', '57P01', '57P02', '57P03']);

/**
 * Map server and connection failures the client may retry to StoreError('unavailable') (IMAP
 * [UNAVAILABLE], LMTP 451): a deadlock between two nodes or a restarting server is not a server bug.
 * StoreErrors and anything else pass through unchanged.
 */
export function translatePgError(err: unknown): unknown {
  if (err instanceof StoreError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (RETRYABLE.has(code)) return new StoreError('unavailable', 'the mail store is busy, try again', { cause: err });
    if (code === '53100') return new StoreError('unavailable', 'the mail store is out of disk space', { cause: err });
    if (code.startsWith('08') || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT') {
      return new StoreError('unavailable', 'the mail store is unreachable, try again', { cause: err });
    }
  }
  if (err instanceof Error && /Connection terminated|Client has encountered a connection error|pool after calling end|timeout exceeded when trying to connect/.test(err.message)) {
    return new StoreError('unavailable', 'the mail store is unreachable, try again', { cause: err });
  }
  return err;
}

/** True for a unique-constraint violation (two nodes racing to create the same name). */
export function isUniqueViolation(err: unknown): boolean {
  const cause = err instanceof StoreError ? err.cause : err;
  return (cause as { code?: unknown } | null)?.code === '23505';
}
