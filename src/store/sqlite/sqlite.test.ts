/**
 * The SQLite store: the shared conformance suite, plus what only a database store has to prove: schema
 * migrations, durability settings, cross-process change notification, crash safety and large-message
 * streaming with bounded memory.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { hashPassword } from '../../auth/password.ts';
import { META_VERSION } from '../../message/index.ts';
import { runStoreConformance } from '../conformance/index.ts';
import type { MailboxChange, User } from '../types.ts';
import { isStoreError } from '../errors.ts';
import { createSqliteBackend, DATABASE_FILE, MIGRATIONS, SCHEMA_VERSION, migrate, schemaVersion, type SqliteBackend } from './index.ts';
import { CHUNK_SIZE } from './contents.ts';
import { openDatabase } from './schema.ts';
import { SqliteStore } from './store.ts';
import { TEST_CONNECTION as CLI, TEST_SCRYPT_COST as TEST_COST, conformanceFixture, testMessage as message } from '../shared/testing.ts';


const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mailroom-sqlite-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function withAccount(dir: string, options: { pollIntervalMs?: number } = {}): Promise<{ backend: SqliteBackend; user: User }> {
  const backend = createSqliteBackend({ path: dir, ...options });
  if (!(await backend.accountExists('alice'))) await backend.createAccount('alice', await hashPassword('secret', TEST_COST));
  const user = await backend.login('alice', 'secret', CLI);
  return { backend, user };
}

void runStoreConformance({
  name: 'sqlite',
  create: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailroom-conf-'));
    return conformanceFixture(createSqliteBackend({ path: dir }), () => rmSync(dir, { recursive: true, force: true }));
  },
});

void describe('sqlite store: schema and durability', () => {
  void test('a new database is at the latest schema version, in WAL with synchronous = FULL', async () => {
    const dir = tempDir();
    const backend = createSqliteBackend({ path: dir });
    await backend.close();
    const db = new Database(join(dir, DATABASE_FILE), { readonly: true });
    try {
      assert.equal(schemaVersion(db), SCHEMA_VERSION);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      db.close();
    }
    // synchronous is per connection: check the one the store opens.
    const conn = openDatabase(join(dir, DATABASE_FILE));
    try {
      assert.equal(conn.pragma('synchronous', { simple: true }), 2, 'synchronous = FULL (2)');
      assert.equal(conn.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      conn.close();
    }
  });

  void test('migrations: a version-1 database with mail is upgraded in place and keeps its data', async () => {
    const dir = tempDir();
    const file = join(dir, DATABASE_FILE);
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    migrate(old, 1);
    assert.equal(schemaVersion(old), 1);
    assert.equal((old.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'changes'`).get() as { n: number }).n, 0);
    // Data written by a version-1 store: an account with INBOX and one message.
    const hash = await hashPassword('secret', TEST_COST);
    old.prepare('INSERT INTO accounts (id, username, password_hash, created_at) VALUES (1, ?, ?, 0)').run('alice', hash);
    old.prepare(`INSERT INTO mailboxes (id, account_id, name, object_id, uid_validity, uid_next, highest_modseq, messages, unseen, size)
                 VALUES (1, 1, 'INBOX', 'Fold', 42, 2, 2, 1, 1, 5)`).run();
    old.prepare(`INSERT INTO contents (id, size, email_id, thread_id, meta) VALUES (1, 5, 'Mold', 'Told', ?)`).run(Buffer.from('x'));
    old.prepare(`INSERT INTO content_chunks (content_id, seq, data) VALUES (1, 0, ?)`).run(Buffer.from('hello'));
    old.prepare(`INSERT INTO messages VALUES (1, 1, 1, '[]', 0, 0, 2, 0, 0, 5)`).run();
    old.close();

    const backend = createSqliteBackend({ path: dir });
    try {
      const user = await backend.login('alice', 'secret', CLI);
      const status = await user.status('INBOX');
      assert.equal(status.messages, 1);
      assert.equal(status.uidValidity, 42);
      const box = await user.openMailbox('INBOX', { readOnly: true, onChange: () => {} });
      assert.deepEqual(box.snapshot.uids, [1]);
      assert.equal((await (await box.body(1)).read()).toString(), 'hello');
      // The version-2 feature works on the migrated file.
      const r = await user.append('INBOX', [{ content: message('after migration') }]);
      assert.deepEqual(r.uids, [2]);
    } finally {
      await backend.close();
    }
    const db = new Database(file, { readonly: true });
    assert.equal(schemaVersion(db), SCHEMA_VERSION);
    assert.ok((db.prepare('SELECT count(*) AS n FROM changes').get() as { n: number }).n >= 1);
    db.close();
  });

  void test('a database from a newer Mailroom is refused, not guessed at', () => {
    const dir = tempDir();
    const db = new Database(join(dir, DATABASE_FILE));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(() => createSqliteBackend({ path: dir }), /newer than this Mailroom supports/);
  });

  void test('migrations are numbered 1..n in order', () => {
    assert.deepEqual(
      MIGRATIONS.map((m) => m.version),
      MIGRATIONS.map((_, i) => i + 1),
    );
  });

  void test('hot statements use indexes: no full table scan, nothing that grows with message size', () => {
    const dir = tempDir();
    const db = openDatabase(join(dir, DATABASE_FILE));
    try {
      const store = new SqliteStore(db);
      // Listing every account is a full listing by nature (the CLI's `user list`).
      const allowedScans = new Set(['listAccounts']);
      for (const [name, stmt] of Object.entries(store.s)) {
        const source = (stmt as { source: string }).source;
        const params = (source.match(/\?/g) ?? []).map(() => null);
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${source}`).all(...params) as { detail: string }[]).map((r) => r.detail);
        const scans = plan.filter((d) => /^SCAN (?!json_each)/.test(d));
        if (!allowedScans.has(name)) assert.deepEqual(scans, [], `${name}: ${plan.join(' | ')}`);
        assert.ok(!plan.some((d) => /content_chunks/.test(d)), `${name} must not touch message bytes`);
      }
    } finally {
      db.close();
    }
  });

  void test('STATUS counters follow appends, flag changes, copies and expunges', async () => {
    const { backend, user } = await withAccount(tempDir());
    try {
      await user.createMailbox('Other');
      await user.append('INBOX', [
        { content: message('1'), flags: ['\\Seen'] },
        { content: message('2') },
        { content: message('3'), flags: ['\\Deleted'] },
      ]);
      const box = await user.openMailbox('INBOX', { readOnly: false, onChange: () => {} });
      let s = await user.status('INBOX');
      assert.deepEqual([s.messages, s.unseen, s.deleted], [3, 2, 1]);
      await box.storeFlags([2], { op: 'add', flags: ['\\Seen', '\\Deleted'] });
      s = await user.status('INBOX');
      assert.deepEqual([s.messages, s.unseen, s.deleted], [3, 1, 2]);
      await box.copy([1, 2, 3], 'Other');
      const o = await user.status('Other');
      assert.deepEqual([o.messages, o.unseen, o.deleted, o.size], [3, 1, 2, s.size]);
      assert.deepEqual(await box.expunge(), [2, 3]);
      s = await user.status('INBOX');
      assert.deepEqual([s.messages, s.unseen, s.deleted, s.size], [1, 0, 0, message('1').length]);
      // Copies share the stored bytes; expunging one copy keeps the other readable.
      const other = await user.openMailbox('Other', { readOnly: false, onChange: () => {} });
      assert.equal((await (await other.body(3)).read()).toString(), message('3').toString());
    } finally {
      await backend.close();
    }
  });

  void test('THREADID follows In-Reply-To and References, also when a reply arrives first; copies keep ids', async () => {
    const { backend, user } = await withAccount(tempDir());
    try {
      const m = (id: string, headers: string): Buffer => Buffer.from(`Message-ID: <${id}@x>\r\n${headers}Subject: t\r\n\r\nbody\r\n`);
      await user.createMailbox('Copy');
      await user.append('INBOX', [
        { content: m('c', 'References: <a@x> <b@x>\r\n') }, // a reply to a reply, before its ancestors
        { content: m('a', '') },
        { content: m('b', 'In-Reply-To: <a@x>\r\n') },
        { content: m('d', '') }, // unrelated
        { content: Buffer.from('Subject: no ids\r\n\r\nx\r\n') },
      ]);
      const box = await user.openMailbox('INBOX', { readOnly: false, onChange: () => {} });
      const recs = await box.fetch([1, 2, 3, 4, 5]);
      const thread = recs.map((r) => r.threadId);
      assert.equal(thread[1], thread[0]);
      assert.equal(thread[2], thread[0]);
      assert.notEqual(thread[3], thread[0]);
      assert.notEqual(thread[4], thread[0]);
      assert.equal(new Set(recs.map((r) => r.emailId)).size, 5);
      assert.deepEqual(await box.search({ type: 'threadId', id: thread[0] }), [1, 2, 3]);
      const { destinationUids } = await box.copy([2], 'Copy');
      const copy = await user.openMailbox('Copy', { readOnly: true, onChange: () => {} });
      const [copied] = await copy.fetch(destinationUids);
      assert.equal(copied.emailId, recs[1].emailId, 'RFC 8474: a copy has the same EMAILID');
      assert.equal(copied.threadId, recs[1].threadId);
    } finally {
      await backend.close();
    }
  });

  void test('a stored metadata record this version cannot read is rebuilt from the bytes and written back', async () => {
    const dir = tempDir();
    const { backend, user } = await withAccount(dir);
    try {
      await user.append('INBOX', [{ content: message('rebuilt') }]);
      const raw = new Database(join(dir, DATABASE_FILE));
      raw.pragma('busy_timeout = 5000');
      raw.prepare('UPDATE contents SET meta = ?').run(Buffer.from([0x4d, 0x52, 0x4d, 0xff]));
      raw.close();
      const box = await user.openMailbox('INBOX', { readOnly: true, onChange: () => {} });
      const [rec] = await box.fetch([1], { meta: true });
      assert.equal(rec.meta?.envelope.subject, 'rebuilt');
      assert.deepEqual(await box.search({ type: 'header', field: 'subject', value: 'rebuilt' }), [1]);
      const check = new Database(join(dir, DATABASE_FILE), { readonly: true });
      const stored = (check.prepare('SELECT meta FROM contents').get() as { meta: Buffer }).meta;
      check.close();
      assert.ok(stored.length > 4 && stored.subarray(0, 3).toString() === 'MRM' && stored[3] === META_VERSION, 'record rewritten');
    } finally {
      await backend.close();
    }
  });

  void test('append refuses a message above maxMessageSize with tooBig, and stores nothing', async () => {
    const dir = tempDir();
    const backend = createSqliteBackend({ path: dir, maxMessageSize: 1000 });
    try {
      await backend.createAccount('alice', await hashPassword('secret', TEST_COST));
      const user = await backend.login('alice', 'secret', CLI);
      await assert.rejects(
        user.append('INBOX', [{ content: message('ok') }, { content: message('big', 'x'.repeat(2000)) }]),
        (err: unknown) => isStoreError(err, 'tooBig'),
      );
      assert.equal((await user.status('INBOX')).messages, 0);
    } finally {
      await backend.close();
    }
  });

  void test('search: SQL prefilter and evaluator agree with a full evaluation', async () => {
    const { backend, user } = await withAccount(tempDir());
    try {
      const day = (d: number): Date => new Date(Date.UTC(2024, 0, d, 12));
      await user.append('INBOX', [
        { content: message('alpha', 'x'.repeat(100)), flags: ['\\Seen'], internalDate: day(1) },
        { content: message('beta'), internalDate: day(2) },
        { content: message('gamma', 'needle'), flags: ['\\Deleted', 'work'], internalDate: day(3) },
      ]);
      const box = await user.openMailbox('INBOX', { readOnly: true, onChange: () => {} });
      assert.deepEqual(await box.search({ type: 'flag', flag: '\\Seen' }), [1]);
      assert.deepEqual(await box.search({ type: 'not', key: { type: 'flag', flag: '\\Seen' } }), [2, 3]);
      assert.deepEqual(await box.search({ type: 'size', op: 'larger', size: 150 }), [1]);
      assert.deepEqual(await box.search({ type: 'internalDate', op: 'on', date: '2024-01-02' }), [2]);
      assert.deepEqual(await box.search({ type: 'internalDate', op: 'since', date: '2024-01-02' }), [2, 3]);
      assert.deepEqual(await box.search({ type: 'uid', ranges: [{ start: 2, end: Infinity }] }), [2, 3]);
      assert.deepEqual(await box.search({ type: 'body', value: 'needle' }), [3]);
      assert.deepEqual(await box.search({ type: 'flag', flag: 'work' }), [3]);
      assert.deepEqual(
        await box.search({ type: 'or', left: { type: 'header', field: 'subject', value: 'beta' }, right: { type: 'flag', flag: '\\Deleted' } }),
        [2, 3],
      );
    } finally {
      await backend.close();
    }
  });
});

void describe('sqlite store: change notification across processes', () => {
  void test('a second backend instance on the same files sees appends, flags and expunges, in order, once', async () => {
    const dir = tempDir();
    const a = await withAccount(dir, { pollIntervalMs: 20 });
    const b = await withAccount(dir, { pollIntervalMs: 20 });
    try {
      const seen: MailboxChange[] = [];
      const box = await a.user.openMailbox('INBOX', { readOnly: false, onChange: (c) => seen.push(c) });
      const r = await b.user.append('INBOX', [{ content: message('from b') }]);
      const other = await b.user.openMailbox('INBOX', { readOnly: false, onChange: () => {} });
      await other.storeFlags(r.uids, { op: 'add', flags: ['\\Deleted'] });
      await other.expunge();
      // Poll explicitly as well as through the timer: the test waits for delivery, not for a duration.
      while (seen.length < 3) {
        a.backend.pollChanges();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      a.backend.pollChanges();
      assert.deepEqual(
        seen.map((c) => c.type),
        ['append', 'flags', 'expunge'],
      );
      const append = seen[0] as Extract<MailboxChange, { type: 'append' }>;
      assert.deepEqual(append.uids, r.uids);
      assert.equal(append.origin, undefined);
      // A record is never delivered twice, also when this instance writes afterwards.
      await a.user.append('INBOX', [{ content: message('from a') }]);
      a.backend.pollChanges();
      assert.deepEqual(
        seen.map((c) => c.type),
        ['append', 'flags', 'expunge', 'append'],
      );
      await box.close();
    } finally {
      await a.backend.close();
      await b.backend.close();
    }
  });

  void test('records of another process committed before a write are published before our own', async () => {
    const dir = tempDir();
    const a = await withAccount(dir, { pollIntervalMs: 60_000 });
    const b = await withAccount(dir, { pollIntervalMs: 60_000 });
    try {
      const seen: number[][] = [];
      await a.user.openMailbox('INBOX', {
        readOnly: false,
        onChange: (c) => {
          if (c.type === 'append') seen.push([...c.uids]);
        },
      });
      await b.user.append('INBOX', [{ content: message('b') }]);
      await a.user.append('INBOX', [{ content: message('a') }]);
      assert.deepEqual(seen, [[1], [2]]);
    } finally {
      await a.backend.close();
      await b.backend.close();
    }
  });

  void test('a mailbox deleted by another process is gone here, and its Mailbox then fails with expired', async () => {
    const dir = tempDir();
    const a = await withAccount(dir, { pollIntervalMs: 60_000 });
    const b = await withAccount(dir, { pollIntervalMs: 60_000 });
    try {
      await a.user.createMailbox('Shared');
      const seen: MailboxChange[] = [];
      const box = await a.user.openMailbox('Shared', { readOnly: false, onChange: (c) => seen.push(c) });
      await b.user.deleteMailbox('Shared');
      a.backend.pollChanges();
      assert.deepEqual(seen, [{ type: 'gone' }]);
      await assert.rejects(box.fetch([1]), (err: unknown) => isStoreError(err, 'expired'));
    } finally {
      await a.backend.close();
      await b.backend.close();
    }
  });

  void test('change records pruned before this process read them turn its open mailboxes gone', async () => {
    const dir = tempDir();
    const a = await withAccount(dir, { pollIntervalMs: 60_000 });
    const b = await withAccount(dir, { pollIntervalMs: 60_000 });
    try {
      const seen: MailboxChange[] = [];
      const seen2: MailboxChange[] = [];
      await a.user.openMailbox('INBOX', { readOnly: true, onChange: (c) => seen.push(c) });
      await a.user.openMailbox('INBOX', { readOnly: true, onChange: (c) => seen2.push(c) });
      await b.user.append('INBOX', [{ content: message('missed') }]);
      // What a long-stalled process finds: its unread records were pruned by another one.
      const raw = new Database(join(dir, DATABASE_FILE));
      raw.pragma(`busy_timeout = 5000`);
      const max = (raw.prepare('SELECT max(id) AS id FROM changes').get() as { id: number }).id;
      raw.prepare('DELETE FROM changes WHERE id <= ?').run(max);
      raw.prepare(`UPDATE meta SET value = ? WHERE key = 'changes_pruned_through'`).run(max);
      raw.close();
      a.backend.pollChanges();
      assert.deepEqual(seen, [{ type: 'gone' }]);
      assert.deepEqual(seen2, [{ type: 'gone' }], 'each open Mailbox is told once');
      // After 'gone' nothing more is delivered (store/types.ts): the listeners were dropped at the gap.
      const fresh: MailboxChange[] = [];
      await a.user.openMailbox('INBOX', { readOnly: true, onChange: (c) => fresh.push(c) });
      await b.user.append('INBOX', [{ content: message('after the gap') }]);
      a.backend.pollChanges();
      assert.deepEqual(fresh.map((c) => c.type), ['append'], 'a mailbox opened after the gap hears the append');
      assert.deepEqual(seen, [{ type: 'gone' }], 'nothing after gone');
      assert.deepEqual(seen2, [{ type: 'gone' }], 'nothing after gone');
    } finally {
      await a.backend.close();
      await b.backend.close();
    }
  });

  void test('a delivery by a separate process reaches an open mailbox through the timer', async () => {
    const dir = tempDir();
    const a = await withAccount(dir);
    try {
      const got = new Promise<MailboxChange>((resolve) => {
        void a.user.openMailbox('INBOX', { readOnly: true, onChange: resolve });
      });
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./test-child.ts', import.meta.url)), 'deliver', dir, '1'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const [code] = (await once(child, 'exit')) as [number];
      assert.equal(code, 0);
      // The store's poller timer is unref'd (it must not keep a CLI alive): hold the loop open meanwhile.
      const keepAlive = setInterval(() => {}, 1000);
      const change = await got.finally(() => clearInterval(keepAlive));
      assert.equal(change.type, 'append');
    } finally {
      await a.backend.close();
    }
  });
});

void describe('sqlite store: crash safety and large messages', () => {
  void test('SIGKILL during appends: every acknowledged message survives and the file is intact', async () => {
    const dir = tempDir();
    const setup = await withAccount(dir);
    await setup.backend.close();
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./test-child.ts', import.meta.url)), 'deliver', dir, '100000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acknowledged: number[] = [];
    let buffered = '';
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) if (line.startsWith('ok ')) acknowledged.push(Number(line.slice(3)));
        if (acknowledged.length >= 40) resolve();
      });
    });
    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.ok(acknowledged.length >= 40);

    const db = new Database(join(dir, DATABASE_FILE));
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    db.close();
    const { backend, user } = await withAccount(dir);
    try {
      const box = await user.openMailbox('INBOX', { readOnly: true, onChange: () => {} });
      const present = new Set(box.snapshot.uids);
      for (const uid of acknowledged) assert.ok(present.has(uid), `acknowledged UID ${uid} is missing`);
      const status = await user.status('INBOX');
      assert.equal(status.messages, box.snapshot.uids.length, 'counters agree with rows');
      const last = acknowledged[acknowledged.length - 1];
      assert.match((await (await box.body(last)).read()).toString(), new RegExp(`Subject: child ${last}\\r\\n`));
    } finally {
      await backend.close();
    }
  });

  void test('a large message streams in chunks with backpressure, and slices read exactly', async () => {
    const { backend, user } = await withAccount(tempDir());
    try {
      const size = 5 * CHUNK_SIZE + 12345;
      const content = Buffer.alloc(size);
      for (let i = 0; i < size; i++) content[i] = (i * 31 + (i >> 8)) & 0xff;
      content.write('Subject: big\r\n\r\n', 0);
      const { uids } = await user.append('INBOX', [{ content }]);
      const box = await user.openMailbox('INBOX', { readOnly: true, onChange: () => {} });
      const body = await box.body(uids[0]);
      assert.equal(body.size, size);
      // Slices across chunk boundaries.
      for (const [s, e] of [[0, 10], [CHUNK_SIZE - 5, CHUNK_SIZE + 5], [CHUNK_SIZE * 2, CHUNK_SIZE * 4 + 7], [size - 3, size + 100]]) {
        assert.ok((await body.read(s, e)).equals(content.subarray(s, Math.min(e, size))), `read(${s}, ${e})`);
      }
      // Streaming: no pushed piece is larger than one chunk, and a paused consumer stops the reads.
      const stream = body.stream(100, size - 100);
      const pieces: Buffer[] = [];
      for await (const piece of stream) {
        assert.ok((piece as Buffer).length <= CHUNK_SIZE);
        pieces.push(piece as Buffer);
        // Backpressure: the stream holds at most its high-water mark while we are not reading.
        assert.ok(stream.readableLength <= CHUNK_SIZE);
      }
      assert.ok(Buffer.concat(pieces).equals(content.subarray(100, size - 100)));
      // A body whose message is expunged meanwhile fails with notFound instead of returning garbage.
      const rw = await user.openMailbox('INBOX', { readOnly: false, onChange: () => {} });
      await rw.remove(uids);
      await assert.rejects(body.read(0, 10), (err: unknown) => isStoreError(err, 'notFound'));
    } finally {
      await backend.close();
    }
  });
});
