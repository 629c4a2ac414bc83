/**
 * The PostgreSQL store's schema and migrations.
 *
 * The applied versions are rows of `schema_migrations` in the store's schema. `migrate` runs every missing
 * step in ONE transaction that first takes a transaction-scoped advisory lock named after the schema: when
 * two nodes start together, the second waits, then sees the steps already applied and does nothing.
 * PostgreSQL DDL is transactional, so a crash mid-migration leaves the previous version intact.
 *
 * The tables mirror sqlite/schema.ts column for column, on purpose: shared/sql-rows.ts and
 * shared/sql-prefilter.ts read both. The DDL itself is not shared: the types differ (bigint, bytea, text[])
 * and each released migration is frozen history of its own store.
 */
import type pg from 'pg';
import type { PoolClient } from 'pg';
import { checkSchemaName, one, rows, transaction } from './db.ts';

/** One schema step: `up` turns version `version - 1` into `version` (inside the migration transaction). */
export interface PgMigration {
  readonly version: number;
  readonly description: string;
  readonly up: (client: PoolClient) => Promise<void>;
}

/** The migrations, in order. Never edit a released step: add a new one. */
export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    description: 'accounts, mailboxes with counters, messages, chunked contents, keywords, expunge log',
    async up(client) {
      await client.query(`
        CREATE TABLE meta (
          key   text PRIMARY KEY,
          value bigint NOT NULL
        );

        CREATE TABLE accounts (
          id            bigserial PRIMARY KEY,
          username      text NOT NULL UNIQUE,
          password_hash text NOT NULL,
          created_at    timestamptz NOT NULL DEFAULT now()
        );

        -- Counters are kept up to date by every mutation so that STATUS and SELECT read one row. The row is
        -- also the mailbox's lock: every mutation takes it FOR UPDATE first, so UIDs and MODSEQs are handed
        -- out in commit order even when two nodes append at once.
        CREATE TABLE mailboxes (
          id             bigserial PRIMARY KEY,
          account_id     bigint NOT NULL REFERENCES accounts (id),
          name           text NOT NULL,
          object_id      text NOT NULL UNIQUE,
          special_use    text NOT NULL DEFAULT '',
          uid_validity   bigint NOT NULL,
          uid_next       bigint NOT NULL DEFAULT 1,
          highest_modseq bigint NOT NULL DEFAULT 1,
          messages       bigint NOT NULL DEFAULT 0,
          unseen         bigint NOT NULL DEFAULT 0,
          deleted        bigint NOT NULL DEFAULT 0,
          size           bigint NOT NULL DEFAULT 0,
          UNIQUE (account_id, name)
        );

        CREATE TABLE subscriptions (
          account_id bigint NOT NULL REFERENCES accounts (id),
          name       text NOT NULL,
          PRIMARY KEY (account_id, name)
        );

        CREATE TABLE mailbox_keywords (
          mailbox_id bigint NOT NULL REFERENCES mailboxes (id),
          keyword    text NOT NULL,
          PRIMARY KEY (mailbox_id, keyword)
        );

        -- One row per stored message body, shared by its copies (COPY does not duplicate bytes). meta is the
        -- parse-once record (message/encodeMeta); the bytes are in content_chunks.
        CREATE TABLE contents (
          id        bigserial PRIMARY KEY,
          size      bigint NOT NULL,
          email_id  text NOT NULL,
          thread_id text NOT NULL,
          meta      bytea NOT NULL
        );

        -- Fixed-size chunks: a reader streams a large message one row at a time (pg has no incremental
        -- large-value reads on bytea short of the lo_* API, which would escape row-level cleanup).
        CREATE TABLE content_chunks (
          content_id bigint NOT NULL REFERENCES contents (id),
          seq        integer NOT NULL,
          data       bytea NOT NULL,
          PRIMARY KEY (content_id, seq)
        );

        -- Small rows: FETCH FLAGS/UID, SELECT and SEARCH on flags never touch the body.
        CREATE TABLE messages (
          mailbox_id    bigint NOT NULL REFERENCES mailboxes (id),
          uid           bigint NOT NULL,
          content_id    bigint NOT NULL REFERENCES contents (id),
          flags         text[] NOT NULL,
          seen          smallint NOT NULL,
          deleted       smallint NOT NULL,
          modseq        bigint NOT NULL,
          internal_date bigint NOT NULL,
          save_date     bigint NOT NULL,
          size          bigint NOT NULL,
          PRIMARY KEY (mailbox_id, uid)
        );
        CREATE INDEX messages_content ON messages (content_id);
        CREATE INDEX messages_modseq ON messages (mailbox_id, modseq);
        CREATE INDEX messages_unseen ON messages (mailbox_id, uid) WHERE seen = 0;
        -- EXPUNGE reads only the \\Deleted messages, not the whole mailbox.
        CREATE INDEX messages_deleted ON messages (mailbox_id, uid) WHERE deleted = 1;

        -- QRESYNC VANISHED (RFC 7162 section 3.2.10) needs the expunged UIDs and their MODSEQ.
        CREATE TABLE expunged (
          mailbox_id bigint NOT NULL,
          uid        bigint NOT NULL,
          modseq     bigint NOT NULL,
          PRIMARY KEY (mailbox_id, uid)
        );
      `);
      // UIDVALIDITY values come from one counter so that a mailbox deleted and created again never reuses
      // one (RFC 3501 section 2.3.1.1). Starting at the clock keeps values unique across a re-created schema.
      await client.query(`INSERT INTO meta (key, value) VALUES ('next_uid_validity', $1)`, [
        Math.max(1, Math.floor(Date.now() / 1000)),
      ]);
    },
  },
  {
    version: 2,
    description: 'change log for the cross-node change feed (LISTEN/NOTIFY)',
    async up(client) {
      await client.query(`
        -- change_seq numbers a mailbox's change records 1, 2, 3 ... It is bumped under the mailbox row lock,
        -- so per mailbox the numbers follow commit order, without holes: a node that delivered record n knows
        -- that n + 1 is next, and a missing n + 1 means records were pruned.
        ALTER TABLE mailboxes ADD COLUMN change_seq bigint NOT NULL DEFAULT 0;

        -- Written in the same transaction as the mutation it describes, announced by NOTIFY at commit.
        -- No foreign key to mailboxes: the 'gone' record of a deleted mailbox outlives its row.
        CREATE TABLE changes (
          mailbox_id bigint NOT NULL,
          seq        bigint NOT NULL,
          account    text NOT NULL,
          instance   text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          record     jsonb NOT NULL,
          PRIMARY KEY (mailbox_id, seq)
        );
        CREATE INDEX changes_created ON changes (created_at);
      `);
    },
  },
  {
    version: 3,
    description: 'thread index for THREADID by references',
    async up(client) {
      // Messages stored before this version keep the THREADID they were given (their own).
      await client.query(`
        CREATE TABLE threads (
          account_id bigint NOT NULL REFERENCES accounts (id),
          message_id text NOT NULL,
          thread_id  text NOT NULL,
          PRIMARY KEY (account_id, message_id)
        );
      `);
    },
  },
];

/** The schema version this code writes. */
export const PG_SCHEMA_VERSION = PG_MIGRATIONS[PG_MIGRATIONS.length - 1].version;

/** Current schema version of a store's schema (0 when the schema or its version table does not exist). */
export async function pgSchemaVersion(pool: pg.Pool, schema: string): Promise<number> {
  checkSchemaName(schema);
  const exists = await one<{ t: string | null }>(pool, 'SELECT to_regclass($1) AS t', [`${schema}.schema_migrations`]);
  if (!exists?.t) return 0;
  // int4, not int8: read as a number whatever type parsers the caller's pool has.
  const row = await one<{ v: number | null }>(pool, `SELECT max(version) AS v FROM ${schema}.schema_migrations`);
  return row?.v ?? 0;
}

/**
 * Create the schema if needed and bring it up to `target` (default: the latest), under an advisory lock
 * so that concurrent starts apply each step once. Refuses a schema written by a newer Mailroom rather than
 * guessing at tables it does not know.
 */
export async function migratePostgres(pool: pg.Pool, schema: string, target: number = PG_SCHEMA_VERSION): Promise<void> {
  checkSchemaName(schema);
  // The common case (every start of a node or of `mailroom deliver`) is an up-to-date schema: one read, no
  // lock and no DDL, so a role without CREATE privilege can run the store once it is set up.
  const before = await pgSchemaVersion(pool, schema);
  if (before > PG_SCHEMA_VERSION) throw newerSchema(schema, before);
  if (before >= target) return;
  await transaction(pool, async (client) => {
    // hashtext gives the 32-bit key; the prefix keeps it apart from other applications' advisory locks.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`mailroom:migrate:${schema}`]);
    const namespace = await one<{ n: string | null }>(client, 'SELECT to_regnamespace($1)::text AS n', [schema]);
    if (!namespace?.n) await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET LOCAL search_path TO ${schema}`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version     integer PRIMARY KEY,
        description text NOT NULL,
        applied_at  timestamptz NOT NULL DEFAULT now()
      )`);
    const current = (await rows<{ v: number | null }>(client, 'SELECT max(version) AS v FROM schema_migrations'))[0]?.v ?? 0;
    if (current > PG_SCHEMA_VERSION) throw newerSchema(schema, current);
    for (const step of PG_MIGRATIONS) {
      if (step.version <= current || step.version > target) continue;
      await step.up(client);
      await client.query('INSERT INTO schema_migrations (version, description) VALUES ($1, $2)', [step.version, step.description]);
    }
  });
}

function newerSchema(schema: string, version: number): Error {
  return new Error(`PostgreSQL schema ${schema} is at version ${version}, newer than this Mailroom supports (${PG_SCHEMA_VERSION})`);
}
