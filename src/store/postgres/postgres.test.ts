/**
 * The PostgreSQL store: the shared conformance suite against a real server, plus what only the multi-node
 * store has to prove: two nodes (two backends, two pools) on one database see each other's changes through
 * LISTEN/NOTIFY, in order and once; concurrent appends from both get distinct UIDs; a lost LISTEN
 * connection catches up; a hole in the change log turns open mailboxes gone; migrations; large messages.
 *
 * The database comes from MAILROOM_TEST_POSTGRES, else a throwaway cluster is started (test-server.ts).
 * Without either, the tests FAIL with a message saying how to get one, unless MAILROOM_SKIP_POSTGRES=1.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setImmediate as tick } from 'node:timers/promises';
import pg from 'pg';
import { hashPassword } from '../../auth/password.ts';
import { META_VERSION } from '../../message/index.ts';
import { runStoreConformance } from '../conformance/index.ts';
import { isStoreError } from '../errors.ts';
import { hasExpungeLog, type MailboxChange, type User } from '../types.ts';
import { PG_CHUNK_SIZE } from './contents.ts';
import { PG_MIGRATIONS, PG_SCHEMA_VERSION, createPostgresBackend, migratePostgres, pgSchemaVersion, type PostgresBackend } from './index.ts';
import { prefilter } from '../shared/sql-prefilter.ts';
import type { SearchKey } from '../../search/types.ts';
import { translatePgError } from './db.ts';
import { startTestPostgres, type TestPostgres } from './test-server.ts';
import { TEST_CONNECTION as CLI, TEST_SCRYPT_COST as TEST_COST, conformanceFixture, loginNewAlice, testMessage as message } from '../shared/testing.ts';

/** Upper bound for a cross-node record to arrive; reached only when the feature is broken. */
const ARRIVAL_TIMEOUT_MS = 15_000;

const skipAll = process.env.MAILROOM_SKIP_POSTGRES === '1';

let server: Promise<TestPostgres> | undefined;
function database(): Promise<TestPostgres> {
  server ??= startTestPostgres();
  return server;
}
after(async () => {
  const s = await server?.catch(() => undefined);
  await s?.stop();
});

let schemas = 0;
/** A fresh schema name per store, so that tests never see each other's data. */
function freshSchema(): string {
  return `t${process.pid}_${++schemas}`;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: (await database()).connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function dropSchema(schema: string): Promise<void> {
  await admin((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
}

async function node(schema: string, name = 'mailroom', extra: { changeRetentionMs?: number } = {}): Promise<PostgresBackend> {
  return createPostgresBackend({ connectionString: (await database()).connectionString, schema, applicationName: name, ...extra });
}

/** Resolve when `condition()` holds (checked after every change record and on a short poll), else fail. */
async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + ARRIVAL_TIMEOUT_MS;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Two nodes on one fresh schema with account alice, and a session on each. */
async function twoNodes(extra: { changeRetentionMs?: number } = {}): Promise<{
  a: PostgresBackend;
  b: PostgresBackend;
  ua: User;
  ub: User;
  schema: string;
  close(): Promise<void>;
}> {
  const schema = freshSchema();
  const a = await node(schema, `${schema}_a`, extra);
  const b = await node(schema, `${schema}_b`, extra);
  await a.createAccount('alice', await hashPassword('secret', TEST_COST));
  const ua = await a.login('alice', 'secret', CLI);
  const ub = await b.login('alice', 'secret', CLI);
  return {
    a,
    b,
    ua,
    ub,
    schema,
    async close() {
      await a.close();
      await b.close();
      await dropSchema(schema);
    },
  };
}

function types(changes: readonly MailboxChange[]): string[] {
  return changes.map((c) => c.type);
}

if (skipAll) {
  void test('PostgreSQL store', { skip: 'MAILROOM_SKIP_POSTGRES=1' }, () => {});
} else {
  void test('a PostgreSQL server is available for these tests', async () => {
    const db = await database();
    assert.ok(db.connectionString.startsWith('postgres'));
  });

  void runStoreConformance({
    name: 'postgres',
    create: async () => {
      const schema = freshSchema();
      return conformanceFixture(await node(schema), () => dropSchema(schema));
    },
  });

  void describe('postgres store: schema', () => {
    void test('migrations are numbered 1..n in order', () => {
      assert.deepEqual(
        PG_MIGRATIONS.map((m) => m.version),
        PG_MIGRATIONS.map((_, i) => i + 1),
      );
      assert.equal(PG_SCHEMA_VERSION, PG_MIGRATIONS.length);
    });

    void test('migrations: a version-1 schema with mail is upgraded in place and keeps its data', async () => {
      const schema = freshSchema();
      const pool = new pg.Pool({ connectionString: (await database()).connectionString });
      try {
        await migratePostgres(pool, schema, 1);
        assert.equal(await pgSchemaVersion(pool, schema), 1);
        // Mail written by a version-1 Mailroom: an account, its INBOX and one message.
        const hash = await hashPassword('secret', TEST_COST);
        const content = message('from version 1');
        await pool.query(`SET search_path TO ${schema}`);
        const client = await pool.connect();
        try {
          await client.query(`SET search_path TO ${schema}`);
          await client.query(`INSERT INTO accounts (id, username, password_hash) VALUES (1, 'alice', $1)`, [hash]);
          await client.query(
            `INSERT INTO mailboxes (id, account_id, name, object_id, uid_validity, uid_next, highest_modseq, messages, unseen, size)
             VALUES (1, 1, 'INBOX', 'Fold', 42, 2, 2, 1, 1, $1)`,
            [content.length],
          );
          const { parseMessage, encodeMeta } = await import('../../message/index.ts');
          await client.query(`INSERT INTO contents (id, size, email_id, thread_id, meta) VALUES (1, $1, 'Mold', 'Told', $2)`, [
            content.length,
            encodeMeta(parseMessage(content)),
          ]);
          await client.query(`INSERT INTO content_chunks (content_id, seq, data) VALUES (1, 0, $1)`, [content]);
          await client.query(
            `INSERT INTO messages (mailbox_id, uid, content_id, flags, seen, deleted, modseq, internal_date, save_date, size)
             VALUES (1, 1, 1, '{}', 0, 0, 2, 0, 0, $1)`,
            [content.length],
          );
          // The bigserial sequences follow explicit ids only when told.
          await client.query(`SELECT setval('accounts_id_seq', 1), setval('mailboxes_id_seq', 1), setval('contents_id_seq', 1)`);
        } finally {
          client.release();
        }
      } finally {
        await pool.end();
      }
      const backend = await node(schema);
      try {
        const check = new pg.Pool({ connectionString: (await database()).connectionString });
        assert.equal(await pgSchemaVersion(check, schema), PG_SCHEMA_VERSION);
        await check.end();
        const user = await backend.login('alice', 'secret', CLI);
        const changes: MailboxChange[] = [];
        const box = await user.openMailbox('INBOX', { readOnly: false, onChange: (c) => changes.push(c) });
        assert.deepEqual([...box.snapshot.uids], [1]);
        assert.equal(box.snapshot.uidValidity, 42);
        const [rec] = await box.fetch([1], { meta: true });
        assert.equal(rec.meta?.envelope.subject, 'from version 1');
        assert.ok((await (await box.body(1)).read()).equals(message('from version 1')));
        const { uids } = await user.append('INBOX', [{ content: message('after upgrade') }]);
        assert.deepEqual(uids, [2]);
        assert.deepEqual(types(changes), ['append'], 'the change feed works on the upgraded schema');
        assert.equal((await user.status('INBOX')).highestModseq, 3);
      } finally {
        await backend.close();
        await dropSchema(schema);
      }
    });

    void test('a schema from a newer Mailroom is refused, not guessed at', async () => {
      const schema = freshSchema();
      const first = await node(schema);
      await first.close();
      await admin((c) => c.query(`INSERT INTO ${schema}.schema_migrations (version, description) VALUES ($1, 'future')`, [PG_SCHEMA_VERSION + 1]));
      await assert.rejects(node(schema), /newer than this Mailroom supports/);
      await dropSchema(schema);
    });

    void test(
      'a role with only table privileges (no CREATE) runs a store on an up-to-date schema',
      process.env.MAILROOM_TEST_POSTGRES ? { skip: 'needs the throwaway cluster (trust auth) to log in as a fresh role' } : {},
      async () => {
        const schema = freshSchema();
        const role = `${schema}_user`;
        const first = await node(schema);
        await first.createAccount('alice', await hashPassword('secret', TEST_COST));
        await first.close();
        await admin(async (c) => {
          await c.query(`CREATE ROLE ${role} LOGIN`);
          await c.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
          await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
          await c.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role}`);
          const can = await c.query<{ create: boolean }>(`SELECT has_database_privilege($1, current_database(), 'CREATE') AS create`, [role]);
          assert.equal(can.rows[0].create, false, 'the role cannot create schemas');
        });
        const url = new URL((await database()).connectionString);
        url.username = role;
        const backend = await createPostgresBackend({ connectionString: url.toString(), schema });
        try {
          const user = await backend.login('alice', 'secret', CLI);
          assert.deepEqual((await user.append('INBOX', [{ content: message('limited role') }])).uids, [1]);
        } finally {
          await backend.close();
          await dropSchema(schema);
          await admin(async (c) => {
            await c.query(`DROP ROLE ${role}`);
          });
        }
      },
    );

    void test('two nodes starting together on a new schema migrate it once', async () => {
      const schema = freshSchema();
      const [a, b] = await Promise.all([node(schema), node(schema)]);
      try {
        const applied = await admin((c) => c.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`));
        assert.deepEqual(
          applied.rows.map((r) => Number(r.version)),
          PG_MIGRATIONS.map((m) => m.version),
        );
        await a.createAccount('x', 'h');
        assert.equal(await b.accountExists('x'), true);
      } finally {
        await a.close();
        await b.close();
        await dropSchema(schema);
      }
    });

    void test('retryable server and connection errors become StoreError unavailable; others pass through', () => {
      for (const code of ['40001', '40P01', '55P03', '57014', '08006', 'ECONNREFUSED']) {
        const err = Object.assign(new Error('x'), { code });
        assert.ok(isStoreError(translatePgError(err), 'unavailable'), code);
      }
      const bug = Object.assign(new Error('syntax'), { code: '42601' });
      assert.equal(translatePgError(bug), bug);
    });

    void test('the SQL prefilter speaks PostgreSQL: numbered placeholders, FALSE for false', () => {
      const numbered = (first: number) => ({ kind: 'numbered', first }) as const;
      const uidAndSeen: SearchKey = { type: 'and', keys: [{ type: 'uid', ranges: [{ start: 2, end: 9 }] }, { type: 'flag', flag: '\\Seen' }] };
      assert.deepEqual(prefilter(uidAndSeen, 0, numbered(3)), { sql: '(m.uid BETWEEN $3 AND $4) AND (m.seen = 1)', params: [2, 9] });
      assert.deepEqual(prefilter({ type: 'not', key: { type: 'uid', ranges: [] } }, 0, numbered(3)), { sql: 'NOT (FALSE)', params: [] });
      assert.deepEqual(prefilter({ type: 'size', op: 'larger', size: 10 }, 0, numbered(1)), { sql: 'm.size > $1', params: [10] });
    });
  });

  void describe('postgres store: two nodes on one database', () => {
    void test('each node sees the other\'s appends, flags, expunges and keywords, in order, once', async () => {
      const t = await twoNodes();
      try {
        const onA: MailboxChange[] = [];
        const onB: MailboxChange[] = [];
        const boxA = await t.ua.openMailbox('INBOX', { readOnly: false, onChange: (c) => onA.push(c) });
        const boxB = await t.ub.openMailbox('INBOX', { readOnly: false, onChange: (c) => onB.push(c) });
        const { uids } = await t.ub.append('INBOX', [{ content: message('one') }, { content: message('two') }]);
        await until('A hears B\'s append', () => onA.length >= 1);
        assert.deepEqual(onA, [{ type: 'append', uids, modseq: 2 }]);
        await boxA.storeFlags([uids[0]], { op: 'add', flags: ['\\Deleted', '$Label'] });
        await boxA.expunge();
        await until('B hears A\'s keywords, flags and expunge', () => onB.length >= 4);
        assert.deepEqual(types(onB), ['append', 'keywords', 'flags', 'expunge']);
        const expunge = onB[3] as Extract<MailboxChange, { type: 'expunge' }>;
        assert.deepEqual([...expunge.uids], [uids[0]]);
        assert.equal(expunge.origin, undefined, 'a remote record has no origin on this node');
        assert.deepEqual(types(onA), ['append', 'keywords', 'flags', 'expunge']);
        assert.equal(onA[3].type === 'expunge' && onA[3].origin, boxA, 'our own record keeps its origin');
        // The other node's snapshot and reads agree with what it heard.
        assert.deepEqual(await boxB.search({ type: 'all' }), [uids[1]]);
        assert.ok(hasExpungeLog(boxB));
        assert.deepEqual(await boxB.expungedSince(0), [uids[0]]);
        // Deleting a mailbox on one node makes it gone on the other.
        await t.ub.createMailbox('Shared');
        const sharedA: MailboxChange[] = [];
        const shared = await t.ua.openMailbox('Shared', { readOnly: false, onChange: (c) => sharedA.push(c) });
        await t.ub.deleteMailbox('Shared');
        await until('A hears Shared is gone', () => sharedA.length >= 1);
        assert.deepEqual(sharedA, [{ type: 'gone' }]);
        await assert.rejects(shared.fetch([1]), (err: unknown) => isStoreError(err, 'expired'));
        // Nothing arrived twice meanwhile.
        assert.equal(onA.length, 4);
        assert.equal(onB.length, 4);
      } finally {
        await t.close();
      }
    });

    void test('concurrent appends from both nodes get distinct ascending UIDs, heard in order by both', async () => {
      const t = await twoNodes();
      try {
        const heardA: number[] = [];
        const heardB: number[] = [];
        const collect = (into: number[]) => (c: MailboxChange) => {
          if (c.type === 'append') into.push(...c.uids);
        };
        await t.ua.openMailbox('INBOX', { readOnly: true, onChange: collect(heardA) });
        await t.ub.openMailbox('INBOX', { readOnly: true, onChange: collect(heardB) });
        const per = 20;
        const results = await Promise.all([
          ...Array.from({ length: per }, (_, i) => t.ua.append('INBOX', [{ content: message(`a${i}`) }])),
          ...Array.from({ length: per }, (_, i) => t.ub.append('INBOX', [{ content: message(`b${i}`) }])),
        ]);
        const uids = results.flatMap((r) => r.uids).sort((x, y) => x - y);
        assert.deepEqual(uids, Array.from({ length: 2 * per }, (_, i) => i + 1), 'distinct UIDs 1..n, no holes');
        await until('both nodes heard every append', () => heardA.length >= 2 * per && heardB.length >= 2 * per);
        assert.deepEqual(heardA, uids, 'node A heard every UID once, ascending');
        assert.deepEqual(heardB, uids, 'node B heard every UID once, ascending');
        const status = await t.ua.status('INBOX');
        assert.equal(status.messages, 2 * per);
        assert.equal(status.uidNext, 2 * per + 1);
      } finally {
        await t.close();
      }
    });

    void test('records another node committed before our write are delivered before our own, before it resolves', async () => {
      const t = await twoNodes();
      try {
        const heard: MailboxChange[] = [];
        const box = await t.ua.openMailbox('INBOX', { readOnly: false, onChange: (c) => heard.push(c) });
        for (let round = 0; round < 5; round++) {
          heard.length = 0;
          const remote = await t.ub.append('INBOX', [{ content: message(`remote ${round}`) }]);
          // Immediately, most likely before node A's LISTEN connection hears about it.
          const own = await box.storeFlags(remote.uids, { op: 'add', flags: ['\\Seen'] });
          assert.deepEqual(types(heard), ['append', 'flags'], 'the remote append first, then our flags');
          assert.equal(heard[1].type === 'flags' && heard[1].origin, box);
          assert.deepEqual(own.updated.map((u) => u.uid), remote.uids);
        }
        // The late notifications of those remote appends deliver nothing twice.
        await t.ub.append('INBOX', [{ content: message('marker') }]);
        await until('A heard the marker', () => heard.length >= 3);
        assert.deepEqual(types(heard), ['append', 'flags', 'append']);
      } finally {
        await t.close();
      }
    });

    void test('renaming an open mailbox on one node makes it gone on the other; the new name works there', async () => {
      const t = await twoNodes();
      try {
        await t.ua.createMailbox('Old/kid');
        const old: MailboxChange[] = [];
        const kid: MailboxChange[] = [];
        await t.ua.openMailbox('Old', { readOnly: false, onChange: (c) => old.push(c) });
        await t.ua.openMailbox('Old/kid', { readOnly: false, onChange: (c) => kid.push(c) });
        await t.ub.renameMailbox('Old', 'New');
        await until('A hears both gone', () => old.length >= 1 && kid.length >= 1);
        assert.deepEqual(old, [{ type: 'gone' }]);
        assert.deepEqual(kid, [{ type: 'gone' }]);
        const renamed: MailboxChange[] = [];
        await t.ua.openMailbox('New/kid', { readOnly: false, onChange: (c) => renamed.push(c) });
        await t.ub.append('New/kid', [{ content: message('to the renamed mailbox') }]);
        await until('A hears the append in the renamed mailbox', () => renamed.length >= 1);
        assert.deepEqual(types(renamed), ['append']);
        assert.deepEqual(types(kid), ['gone'], 'nothing after gone');
      } finally {
        await t.close();
      }
    });

    void test('a lost LISTEN connection reconnects and catches up on what it missed', async () => {
      const t = await twoNodes();
      try {
        const heard: MailboxChange[] = [];
        await t.ua.openMailbox('INBOX', { readOnly: true, onChange: (c) => heard.push(c) });
        const before = t.a.listenConnects;
        // Kill node A's LISTEN connection, then write on B at once, likely while A is away.
        await admin((c) => c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`${t.schema}_a listen`]));
        const { uids } = await t.ub.append('INBOX', [{ content: message('while away') }]);
        await until('A reconnected', () => t.a.listenConnects > before);
        const second = await t.ub.append('INBOX', [{ content: message('after') }]);
        await until('A heard both appends', () => heard.length >= 2);
        assert.deepEqual(
          heard.map((c) => (c.type === 'append' ? [...c.uids] : c.type)),
          [uids, second.uids],
        );
      } finally {
        await t.close();
      }
    });

    void test('a hole in the change log (records pruned before this node read them) turns open mailboxes gone', async () => {
      const t = await twoNodes();
      try {
        const heard: MailboxChange[] = [];
        const box = await t.ua.openMailbox('INBOX', { readOnly: true, onChange: (c) => heard.push(c) });
        // What node A sees after being cut off for longer than the retention: record n + 1 pruned, n + 2 there.
        await admin(async (c) => {
          await c.query('BEGIN');
          const { rows } = await c.query<{ id: string; seq: string }>(
            `UPDATE ${t.schema}.mailboxes SET change_seq = change_seq + 2 WHERE name = 'INBOX' RETURNING id, change_seq AS seq`,
          );
          await c.query(
            `INSERT INTO ${t.schema}.changes (mailbox_id, seq, account, instance, record) VALUES ($1, $2, 'alice', 'test', '{"type":"keywords","keywords":[]}')`,
            [rows[0].id, rows[0].seq],
          );
          await c.query('SELECT pg_notify($1, $2)', [`mr_${t.schema}`, `${rows[0].id}:${rows[0].seq}`]);
          await c.query('COMMIT');
        });
        await until('A turns the mailbox gone', () => heard.length >= 1);
        assert.deepEqual(heard, [{ type: 'gone' }]);
        await assert.rejects(box.fetch([1]), (err: unknown) => isStoreError(err, 'expired'));
        // After 'gone' nothing more is delivered (store/types.ts): a mailbox opened on A after the gap hears
        // B's append, and the gone one, on the same node's feed, does not.
        const fresh: MailboxChange[] = [];
        await t.ua.openMailbox('INBOX', { readOnly: true, onChange: (c) => fresh.push(c) });
        await t.ub.append('INBOX', [{ content: message('after the gap') }]);
        await until('A hears the append', () => fresh.some((c) => c.type === 'append'));
        assert.deepEqual(heard, [{ type: 'gone' }], 'nothing after gone');
      } finally {
        await t.close();
      }
    });

    void test('pruning deletes old change records and keeps recent ones', async () => {
      const t = await twoNodes();
      try {
        await t.ua.append('INBOX', [{ content: message('x') }]);
        const count = (): Promise<number> =>
          admin(async (c) => Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${t.schema}.changes`)).rows[0].n));
        assert.equal(await count(), 1);
        await t.a.pruneChanges(60_000);
        assert.equal(await count(), 1, 'a recent record stays');
        await admin((c) => c.query(`UPDATE ${t.schema}.changes SET created_at = now() - interval '1 hour'`));
        await t.a.pruneChanges(60_000);
        assert.equal(await count(), 0);
      } finally {
        await t.close();
      }
    });
  });

  void describe('postgres store: messages', () => {
    void test('a 50 MB message streams in chunks with backpressure, and slices read exactly', async () => {
      const schema = freshSchema();
      const backend = await node(schema);
      try {
        const user = await loginNewAlice(backend);
        const size = 50 * 1024 * 1024;
        const content = Buffer.alloc(size);
        for (let i = 0; i < size; i += 4) content.writeUInt32LE((i * 2654435761) >>> 0, i);
        content.write('Subject: big\r\n\r\n', 0);
        const { uids } = await user.append('INBOX', [{ content }]);
        const box = await user.openMailbox('INBOX', { readOnly: false, onChange: () => {} });
        const body = await box.body(uids[0]);
        assert.equal(body.size, size);
        for (const [s, e] of [[0, 10], [PG_CHUNK_SIZE - 5, PG_CHUNK_SIZE + 5], [size - 3, size + 100]]) {
          assert.ok((await body.read(s, e)).equals(content.subarray(s, Math.min(e, size))), `read(${s}, ${e})`);
        }
        const stream = body.stream(100, size - 100);
        const hash = createHash('sha256');
        let pieces = 0;
        for await (const piece of stream) {
          assert.ok((piece as Buffer).length <= PG_CHUNK_SIZE, 'one chunk at a time');
          hash.update(piece as Buffer);
          if (pieces++ === 3) {
            // A consumer that stops reading stops the reads: the buffer stays at one chunk.
            for (let i = 0; i < 20; i++) await tick();
            assert.ok(stream.readableLength <= PG_CHUNK_SIZE);
          }
        }
        assert.equal(hash.digest('hex'), createHash('sha256').update(content.subarray(100, size - 100)).digest('hex'));
        await box.remove(uids);
        await assert.rejects(body.read(0, 10), (err: unknown) => isStoreError(err, 'notFound'));
        const left = await admin(async (c) => Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.content_chunks`)).rows[0].n));
        assert.equal(left, 0, 'the chunks of an expunged message are deleted');
      } finally {
        await backend.close();
        await dropSchema(schema);
      }
    });

    void test('THREADID follows In-Reply-To and References; copies keep EMAILID and THREADID', async () => {
      const schema = freshSchema();
      const backend = await node(schema);
      try {
        const user = await loginNewAlice(backend);
        const m = (id: string, headers: string): Buffer => Buffer.from(`Message-ID: <${id}@x>\r\n${headers}Subject: t\r\n\r\nbody\r\n`);
        await user.createMailbox('Copy');
        await user.append('INBOX', [
          { content: m('c', 'References: <a@x> <b@x>\r\n') },
          { content: m('a', '') },
          { content: m('b', 'In-Reply-To: <a@x>\r\n') },
          { content: m('d', '') },
        ]);
        const box = await user.openMailbox('INBOX', { readOnly: false, onChange: () => {} });
        const recs = await box.fetch([1, 2, 3, 4]);
        const thread = recs.map((r) => r.threadId);
        assert.equal(thread[1], thread[0]);
        assert.equal(thread[2], thread[0]);
        assert.notEqual(thread[3], thread[0]);
        const { destinationUids } = await box.copy([2], 'Copy');
        const copy = await user.openMailbox('Copy', { readOnly: true, onChange: () => {} });
        const [copied] = await copy.fetch(destinationUids);
        assert.equal(copied.emailId, recs[1].emailId);
        assert.equal(copied.threadId, recs[1].threadId);
      } finally {
        await backend.close();
        await dropSchema(schema);
      }
    });

    void test('a stored metadata record this version cannot read is rebuilt from the bytes and written back', async () => {
      const schema = freshSchema();
      const backend = await node(schema);
      try {
        const user = await loginNewAlice(backend);
        await user.append('INBOX', [{ content: message('rebuilt') }]);
        await admin((c) => c.query(`UPDATE ${schema}.contents SET meta = $1`, [Buffer.from([0x4d, 0x52, 0x4d, 0xff])]));
        const box = await user.openMailbox('INBOX', { readOnly: true, onChange: () => {} });
        const [rec] = await box.fetch([1], { meta: true });
        assert.equal(rec.meta?.envelope.subject, 'rebuilt');
        assert.deepEqual(await box.search({ type: 'header', field: 'subject', value: 'rebuilt' }), [1]);
        const stored = await admin(async (c) => (await c.query<{ meta: Buffer }>(`SELECT meta FROM ${schema}.contents`)).rows[0].meta);
        assert.ok(stored.length > 4 && stored.subarray(0, 3).toString() === 'MRM' && stored[3] === META_VERSION, 'record rewritten');
      } finally {
        await backend.close();
        await dropSchema(schema);
      }
    });

    void test('append refuses a message above maxMessageSize with tooBig, and stores nothing', async () => {
      const schema = freshSchema();
      const backend = await createPostgresBackend({ connectionString: (await database()).connectionString, schema, maxMessageSize: 1000 });
      try {
        const user = await loginNewAlice(backend);
        await assert.rejects(user.append('INBOX', [{ content: message('ok') }, { content: message('big', 'x'.repeat(2000)) }]), (err: unknown) =>
          isStoreError(err, 'tooBig'),
        );
        assert.equal((await user.status('INBOX')).messages, 0);
      } finally {
        await backend.close();
        await dropSchema(schema);
      }
    });

    void test('a closed backend fails with unavailable', async () => {
      const schema = freshSchema();
      const backend = await node(schema);
      await backend.close();
      await assert.rejects(backend.accountExists('x'), (err: unknown) => isStoreError(err, 'unavailable'));
      await dropSchema(schema);
    });
  });
}
