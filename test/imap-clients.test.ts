/**
 * Real clients against a real listening server (127.0.0.1, port 0, memory store): imapflow 2.1.2,
 * Python's imaplib and curl, on the core commands (LIST, CREATE, RENAME, DELETE, SUBSCRIBE, STATUS,
 * APPEND, SELECT/EXAMINE, EXPUNGE, CLOSE, LOGOUT).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImapFlow } from 'imapflow';
import { imapflow, startServer, type TestServer } from './transcripts/harness.ts';

const run = promisify(execFile);

const MESSAGE = 'From: a@example.com\r\nTo: b@example.com\r\nSubject: hello\r\n\r\nbody\r\n';

function flow(port: number, user = 'alice', pass = 'password'): ImapFlow {
  return imapflow(port, { auth: { user, pass }, disableAutoIdle: true });
}

describe('imapflow 2.1.2', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer();
  });
  after(() => srv.close());

  test('list, create, rename, delete, subscribe, status, append, open, close', async () => {
    const client = flow(srv.port);
    await client.connect();
    try {
      await client.mailboxCreate(['Work', 'Projects']);
      await client.mailboxCreate('Entwürfe');
      const names = (await client.list()).map((m) => m.path).sort();
      assert.deepEqual(names, ['Entwürfe', 'INBOX', 'Work', 'Work/Projects']);
      const renamed = await client.mailboxRename('Work', 'Jobs');
      assert.equal(renamed.newPath, 'Jobs');
      assert.deepEqual((await client.list()).map((m) => m.path).sort(), ['Entwürfe', 'INBOX', 'Jobs', 'Jobs/Projects']);
      await client.mailboxDelete('Jobs/Projects');
      assert.equal(await client.mailboxSubscribe('Entwürfe'), true);
      const subscribed = (await client.list()).filter((m) => m.subscribed).map((m) => m.path);
      assert.ok(subscribed.includes('Entwürfe'));
      assert.ok(!subscribed.includes('Jobs'));

      const date = new Date('2020-01-02T03:04:05Z');
      await client.append('INBOX', MESSAGE, ['\\Seen', '$Work'], date);
      await client.append('INBOX', MESSAGE, ['\\Deleted']);
      await assert.rejects(client.append('Nowhere', MESSAGE), (err: Error & { serverResponseCode?: string }) => err.serverResponseCode === 'TRYCREATE');
      const status = await client.status('INBOX', { messages: true, unseen: true, uidNext: true, uidValidity: true, recent: true });
      assert.ok(status);
      assert.equal(status.messages, 2);
      assert.equal(status.unseen, 1);
      assert.equal(Number(status.uidNext), 3);
      // imapflow ENABLEs IMAP4rev2 when advertised; rev2 has no RECENT, so it does not ask and reports 0.
      assert.equal(status.recent, 0);

      const box = await client.mailboxOpen('INBOX');
      assert.equal(box.exists, 2);
      assert.equal(box.readOnly, false);
      assert.ok(box.flags.has('$Work'));
      assert.ok(box.permanentFlags?.has('\\*'));
      assert.equal(box.uidNext, 3);
      await client.mailboxClose(); // CLOSE: silent expunge of the \Deleted message
      const after = await client.status('INBOX', { messages: true });
      assert.equal(after && after.messages, 1);

      const ro = await client.mailboxOpen('INBOX', { readOnly: true });
      assert.equal(ro.readOnly, true);
    } finally {
      await client.logout();
    }
  });

  test('a second client sees EXISTS from the first one at its next command', async () => {
    const a = flow(srv.port);
    const b = flow(srv.port);
    await a.connect();
    await b.connect();
    try {
      await a.mailboxCreate('Shared');
      await b.mailboxOpen('Shared');
      const seen = new Promise<number>((resolve) => b.on('exists', (ev: { count: number }) => resolve(ev.count)));
      await a.append('Shared', MESSAGE);
      await b.noop();
      assert.equal(await seen, 1);
      assert.equal(b.mailbox && b.mailbox.exists, 1);
    } finally {
      await a.logout();
      await b.logout();
    }
  });

  test('full flow with the message commands: append, fetch, store, search, copy, expunge', async () => {
    const client = flow(srv.port);
    await client.connect();
    try {
      await client.mailboxCreate('Flow');
      await client.mailboxCreate('Flow-copy');
      for (let i = 1; i <= 3; i++) await client.append('Flow', MESSAGE.replace('hello', `hello ${i}`));
      await client.mailboxOpen('Flow');
      const subjects = (await client.fetchAll('1:*', { envelope: true, uid: true })).map((m) => m.envelope?.subject);
      assert.deepEqual(subjects, ['hello 1', 'hello 2', 'hello 3']);
      assert.equal(await client.messageFlagsAdd('2', ['\\Flagged']), true);
      assert.deepEqual(await client.search({ flagged: true }), [2]);
      const copied = await client.messageCopy('1:2', 'Flow-copy');
      assert.ok(copied);
      assert.equal(await client.messageDelete('1'), true);
      assert.equal(client.mailbox && client.mailbox.exists, 2);
      const status = await client.status('Flow-copy', { messages: true });
      assert.equal(status && status.messages, 2);
    } finally {
      await client.logout();
    }
  });

  test('bad password is refused', async () => {
    const client = flow(srv.port, 'alice', 'wrong');
    await assert.rejects(client.connect(), (err: Error & { authenticationFailed?: boolean }) => err.authenticationFailed === true);
  });
});

describe("Python's imaplib", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer();
  });
  after(() => srv.close());

  test('login, create, list, append, select, status, store, search, fetch, copy, expunge, close, logout', async () => {
    const script = `
import imaplib, sys, time
m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
print('caps', ' '.join(sorted(c for c in m.capabilities if c in ('IMAP4REV1', 'AUTH=PLAIN'))))
print('login', m.login('alice', 'password')[0])
print('create', m.create('Archive/2024')[0])
typ, data = m.list()
print('list', typ, sorted(d.decode() for d in data))
msg = b'From: a@example.com\\r\\nSubject: py\\r\\n\\r\\nhello\\r\\n'
print('append', m.append('INBOX', '(\\\\Deleted)', imaplib.Time2Internaldate(time.time()), msg)[0])
print('append', m.append('INBOX', None, None, msg)[0])
typ, data = m.select('INBOX')
print('select', typ, data[0].decode())
print('status', m.status('Archive/2024', '(MESSAGES UIDNEXT)')[1][0].decode())
print('store', m.store('2', '+FLAGS', '(\\\\Flagged)')[0])
print('search', m.search(None, 'FLAGGED')[1][0].decode())
typ, data = m.fetch('2', '(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
print('fetch', typ, data[0][0].decode(), data[0][1].decode().strip())
print('copy', m.copy('2', 'Archive/2024')[0])
typ, data = m.uid('SEARCH', 'ALL')
print('uid search', data[0].decode())
typ, data = m.expunge()
print('expunge', typ, [d.decode() for d in data if d])
print('close', m.close()[0])
print('rename', m.rename('Archive', 'Old')[0])
print('delete', m.delete('Old/2024')[0])
print('exists', m.create('INBOX')[0])
print('logout', m.logout()[0])
`;
    const { stdout } = await run('python3', ['-c', script, String(srv.port)]);
    const lines = stdout.trim().split('\n');
    assert.deepEqual(lines, [
      'caps AUTH=PLAIN IMAP4REV1',
      'login OK',
      'create OK',
      `list OK ['(\\\\HasChildren) "/" "Archive"', '(\\\\HasNoChildren) "/" "Archive/2024"', '(\\\\HasNoChildren) "/" "INBOX"']`,
      'append OK',
      'append OK',
      'select OK 2',
      'status "Archive/2024" (MESSAGES 0 UIDNEXT 1)',
      'store OK',
      'search 2',
      'fetch OK 2 (FLAGS (\\Flagged \\Recent) BODY[HEADER.FIELDS (SUBJECT)] {15} Subject: py',
      'copy OK',
      'uid search 1 2',
      "expunge OK ['1']",
      'close OK',
      'rename OK',
      'delete OK',
      'exists NO',
      'logout BYE',
    ]);
  });
});

describe('curl imap://', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer();
  });
  after(() => srv.close());

  test('LIST, custom STATUS and APPEND upload', async () => {
    const base = `imap://127.0.0.1:${srv.port}`;
    const auth = ['-s', '-S', '--user', 'alice:password'];
    await run('curl', [...auth, '-X', 'CREATE Reports', `${base}/`]);
    const list = await run('curl', [...auth, `${base}/`]);
    assert.deepEqual(list.stdout.trim().split(/\r?\n/), ['* LIST (\\HasNoChildren) "/" "INBOX"', '* LIST (\\HasNoChildren) "/" "Reports"']);
    // curl uploads with APPEND (its own literal handling, waiting for "+").
    const dir = mkdtempSync(join(tmpdir(), 'mailroom-curl-'));
    const file = join(dir, 'message.eml');
    writeFileSync(file, MESSAGE);
    try {
      await run('curl', [...auth, '-T', file, `${base}/Reports`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const status = await run('curl', [...auth, '-X', 'STATUS Reports (MESSAGES)', `${base}/`]);
    assert.equal(status.stdout.trim(), '* STATUS "Reports" (MESSAGES 1)');
  });
});
