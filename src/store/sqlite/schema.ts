/**
 * The SQLite store's schema, its migrations and the connection settings.
 *
 * The schema version lives in `PRAGMA user_version` (a field of the database header, so reading it costs no
 * table). Migrations are functions applied in order, each in its own transaction together with the version
 * bump, so a crash during a migration leaves the previous version intact.
 */
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';

/** One schema step: `up` turns version `version - 1` into `version`. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly up: (db: Db) => void;
}

/**
 * How long a writer waits for another process's write lock before failing. `mailroom deliver` and the
 * daemon share the file; a delivery transaction takes milliseconds, so 5 s only trips on a stuck process.
 */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * WAL size kept on disk after a checkpoint: large appends grow the WAL; this truncates it back so a single
 * 50 MB message does not leave a 50 MB WAL file behind for ever.
 */
export const JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** The migrations, in order. Never edit a released step: add a new one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'accounts, mailboxes with counters, messages, chunked contents, keywords, expunge log',
    up(db) {
      db.exec(`
        CREATE TABLE meta (
          key   TEXT PRIMARY KEY,
          value INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE accounts (
          id            INTEGER PRIMARY KEY,
          username      TEXT NOT NULL UNIQUE,
          password_hash TEXT NOT NULL,
          created_at    INTEGER NOT NULL
        );

        -- Counters are kept up to date by every mutation so that STATUS and SELECT read one row.
        CREATE TABLE mailboxes (
          id             INTEGER PRIMARY KEY,
          account_id     INTEGER NOT NULL,
          name           TEXT NOT NULL,
          object_id      TEXT NOT NULL UNIQUE,
          special_use    TEXT NOT NULL DEFAULT '',
          uid_validity   INTEGER NOT NULL,
          uid_next       INTEGER NOT NULL DEFAULT 1,
          highest_modseq INTEGER NOT NULL DEFAULT 1,
          messages       INTEGER NOT NULL DEFAULT 0,
          unseen         INTEGER NOT NULL DEFAULT 0,
          deleted        INTEGER NOT NULL DEFAULT 0,
          size           INTEGER NOT NULL DEFAULT 0,
          UNIQUE (account_id, name)
        );

        CREATE TABLE subscriptions (
          account_id INTEGER NOT NULL,
          name       TEXT NOT NULL,
          PRIMARY KEY (account_id, name)
        ) WITHOUT ROWID;

        CREATE TABLE mailbox_keywords (
          mailbox_id INTEGER NOT NULL,
          keyword    TEXT NOT NULL,
          PRIMARY KEY (mailbox_id, keyword)
        ) WITHOUT ROWID;

        -- One row per stored message body, shared by its copies (COPY does not duplicate bytes).
        -- meta is the parse-once record (message/encodeMeta); the bytes are in content_chunks.
        CREATE TABLE contents (
          id        INTEGER PRIMARY KEY,
          size      INTEGER NOT NULL,
          email_id  TEXT NOT NULL,
          thread_id TEXT NOT NULL,
          meta      BLOB NOT NULL
        );

        -- A rowid table on purpose: large blobs belong in rowid tables (WITHOUT ROWID stores them in the
        -- index b-tree, which SQLite documents as slow for big rows).
        CREATE TABLE content_chunks (
          content_id INTEGER NOT NULL,
          seq        INTEGER NOT NULL,
          data       BLOB NOT NULL
        );
        CREATE UNIQUE INDEX content_chunks_key ON content_chunks (content_id, seq);

        -- Small fixed-size rows: FETCH FLAGS/UID, SELECT and SEARCH on flags never touch the body.
        CREATE TABLE messages (
          mailbox_id    INTEGER NOT NULL,
          uid           INTEGER NOT NULL,
          content_id    INTEGER NOT NULL,
          flags         TEXT NOT NULL,
          seen          INTEGER NOT NULL,
          deleted       INTEGER NOT NULL,
          modseq        INTEGER NOT NULL,
          internal_date INTEGER NOT NULL,
          save_date     INTEGER NOT NULL,
          size          INTEGER NOT NULL,
          PRIMARY KEY (mailbox_id, uid)
        ) WITHOUT ROWID;
        CREATE INDEX messages_content ON messages (content_id);
        CREATE INDEX messages_modseq ON messages (mailbox_id, modseq);
        CREATE INDEX messages_unseen ON messages (mailbox_id, uid) WHERE seen = 0;
        -- EXPUNGE reads only the \Deleted messages, not the whole mailbox.
        CREATE INDEX messages_deleted ON messages (mailbox_id, uid) WHERE deleted = 1;

        -- QRESYNC VANISHED (RFC 7162 section 3.2.10) needs the expunged UIDs and their MODSEQ.
        CREATE TABLE expunged (
          mailbox_id INTEGER NOT NULL,
          uid        INTEGER NOT NULL,
          modseq     INTEGER NOT NULL,
          PRIMARY KEY (mailbox_id, uid)
        ) WITHOUT ROWID;
      `);
      // UIDVALIDITY values come from one counter so that a mailbox deleted and created again never reuses
      // one (RFC 3501 section 2.3.1.1). Starting at the clock keeps values unique across a re-created file.
      db.prepare(`INSERT INTO meta (key, value) VALUES ('next_uid_validity', ?)`).run(Math.max(1, Math.floor(Date.now() / 1000)));
    },
  },
  {
    version: 2,
    description: 'change log for cross-process change notification',
    up(db) {
      db.exec(`
        -- Written in the same transaction as the mutation it describes; other processes poll it.
        -- AUTOINCREMENT so that an id is never reused after pruning (pollers compare ids).
        CREATE TABLE changes (
          id         INTEGER PRIMARY KEY AUTOINCREMENT,
          account    TEXT NOT NULL,
          mailbox_id INTEGER NOT NULL,
          instance   TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          record     TEXT NOT NULL
        );
        CREATE INDEX changes_created ON changes (created_at);
      `);
      db.prepare(`INSERT INTO meta (key, value) VALUES ('changes_pruned_through', 0)`).run();
    },
  },
  {
    version: 3,
    description: 'thread index for THREADID by references',
    up(db) {
      // Messages stored before this version keep the THREADID they were given (their own).
      db.exec(`
        CREATE TABLE threads (
          account_id INTEGER NOT NULL,
          message_id TEXT NOT NULL,
          thread_id  TEXT NOT NULL,
          PRIMARY KEY (account_id, message_id)
        ) WITHOUT ROWID;
      `);
    },
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Current schema version of an open database (0 for a new file). */
export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Bring the schema up to `target` (default: the latest). Refuses a database written by a newer Mailroom
 * rather than guessing at a schema it does not know.
 */
export function migrate(db: Db, target: number = SCHEMA_VERSION): void {
  const current = schemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new Error(`database schema version ${current} is newer than this Mailroom supports (${SCHEMA_VERSION})`);
  }
  for (const step of MIGRATIONS) {
    if (step.version <= current || step.version > target) continue;
    db.transaction(() => {
      // Read again under the write lock: another process (`mailroom deliver` started beside the daemon)
      // may have applied this step since we looked.
      if (schemaVersion(db) >= step.version) return;
      step.up(db);
      db.pragma(`user_version = ${step.version}`);
    }).immediate();
  }
}

/**
 * Open (creating if needed) the database file with the durability settings the store relies on:
 * WAL, so readers never block the writer and a commit is one sequential write; `synchronous = FULL`, so
 * the WAL is fsynced at every commit and a resolved promise survives power loss (with NORMAL, WAL mode
 * may lose the last transactions on power failure).
 */
export function openDatabase(file: string, options: { migrate?: boolean } = {}): Db {
  const db = new Database(file);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`cannot enable WAL journal mode (got ${String(mode)})`);
    db.pragma('synchronous = FULL');
    db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
    if (options.migrate !== false) migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
