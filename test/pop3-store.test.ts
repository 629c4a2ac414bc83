/**
 * storePop3Handler over the memory store, with a concurrent IMAP-level view of INBOX (a Mailbox opened through
 * the store contract, as an IMAP session holds it) that must receive the POP3 deletions as expunge records.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryBackend, type MemoryBackend } from '../src/store/memory/index.ts';
import type { MailboxChange, Mailbox } from '../src/store/types.ts';
import { Pop3Server, storePop3Handler, type StorePop3HandlerOptions } from '../src/pop3/index.ts';
import { Pop3LineClient } from '../src/pop3/testing.ts';
import { dotUnstuff } from '../src/pop3/dot-stuff.ts';

const MESSAGES = [
  'From: a@example.com\r\nSubject: first\r\n\r\nline one\r\n.starts with dot\r\n',
  'From: b@example.com\r\nSubject: second\r\n\r\nbody two\r\nmore\r\nand more\r\n',
  'From: c@example.com\r\nSubject: third\r\n\r\nbody three\r\n',
];

const servers: Pop3Server[] = [];
const backends: MemoryBackend[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(backends.map((b) => b.close()));
});

async function setup(options: StorePop3HandlerOptions = {}, backend?: MemoryBackend) {
  const store = backend ?? createMemoryBackend({ users: { alice: 'password', bob: 'hunter2' } });
  if (!backend) {
    backends.push(store);
    const user = await store.login('alice', 'password', { protocol: 'cli', secure: true });
    await user.append('INBOX', MESSAGES.map((m) => ({ content: Buffer.from(m) })));
    await user.close();
  }
  const errors: unknown[] = [];
  const server = new Pop3Server({ onConnection: storePop3Handler(store, { onError: (e) => errors.push(e), ...options }), authFailureDelay: 0 });
  servers.push(server);
  const { port } = await server.listen(0);
  return { store, server, port, errors };
}

/** An IMAP-side observer: INBOX opened through the store contract, recording every change. */
async function observe(store: MemoryBackend) {
  const user = await store.login('alice', 'password', { protocol: 'imap', secure: true });
  const changes: MailboxChange[] = [];
  const mailbox: Mailbox = await user.openMailbox('INBOX', { readOnly: false, onChange: (c) => changes.push(c) });
  return { user, mailbox, changes, close: async () => (await mailbox.close(), await user.close()) };
}

async function login(port: number, user = 'alice', password = 'password'): Promise<Pop3LineClient> {
  const client = await Pop3LineClient.connect(port);
  assert.equal(await client.readLine(), '+OK POP3 server ready.');
  client.send(`USER ${user}`);
  assert.equal(await client.readLine(), '+OK');
  client.send(`PASS ${password}`);
  const reply = await client.readLine();
  assert.match(reply ?? '', /^\+OK Logged in/, reply ?? 'closed');
  return client;
}

async function command(client: Pop3LineClient, line: string): Promise<string> {
  client.send(line);
  return (await client.readLine()) ?? '<closed>';
}

async function multiline(client: Pop3LineClient, line: string): Promise<{ status: string; body: Buffer }> {
  const status = await command(client, line);
  assert.match(status, /^\+OK/, status);
  return { status, body: dotUnstuff(await client.readMultilineRaw())! };
}

void describe('storePop3Handler over the memory store', () => {
  void test('STAT/LIST/UIDL/RETR/TOP/DELE/QUIT; IMAP-side INBOX sees \\Seen (at QUIT) and the expunge; second session confirms', async () => {
    const { store, port, errors } = await setup();
    const imap = await observe(store);
    const { uidValidity, uids } = imap.mailbox.snapshot;
    assert.equal(uids.length, 3);

    const client = await login(port);
    const total = MESSAGES.reduce((n, m) => n + Buffer.byteLength(m), 0);
    assert.equal(await command(client, 'STAT'), `+OK 3 ${total}`);
    const list = await multiline(client, 'LIST');
    assert.equal(list.body.toString(), MESSAGES.map((m, i) => `${i + 1} ${Buffer.byteLength(m)}\r\n`).join(''));
    const uidl = await multiline(client, 'UIDL');
    const hex = (n: number) => n.toString(16).padStart(8, '0');
    assert.equal(uidl.body.toString(), uids.map((uid, i) => `${i + 1} ${hex(uid)}${hex(uidValidity)}\r\n`).join(''));

    const retr = await multiline(client, 'RETR 1');
    assert.equal(retr.status, `+OK ${Buffer.byteLength(MESSAGES[0])} octets`);
    assert.equal(retr.body.toString(), MESSAGES[0]);
    const top = await multiline(client, 'TOP 2 1');
    assert.equal(top.body.toString(), 'From: b@example.com\r\nSubject: second\r\n\r\nbody two\r\n');

    // As Dovecot: RETR notes \Seen, applied only at QUIT (UPDATE state), so nothing changes before.
    const before = await imap.mailbox.fetch(uids);
    assert.ok(before.every((r) => !r.flags.includes('\\Seen')));
    assert.ok(!imap.changes.some((c) => c.type === 'flags'), 'no flag change before QUIT');

    assert.equal(await command(client, 'DELE 2'), '+OK Message 2 deleted.');
    assert.ok(!imap.changes.some((c) => c.type === 'expunge'), 'nothing is expunged before QUIT');
    assert.equal(await command(client, 'QUIT'), '+OK Logging out, 1 messages deleted.');
    await client.closed();

    // QUIT set \Seen on message 1 only (TOP does not), visible to the IMAP side through the feed and a fetch.
    const flags = await imap.mailbox.fetch([uids[0], uids[2]]);
    assert.ok(flags[0].flags.includes('\\Seen'));
    assert.ok(!flags[1].flags.includes('\\Seen'));
    assert.ok(imap.changes.some((c) => c.type === 'flags' && c.updates.some((u) => u.uid === uids[0])));

    const expunges = imap.changes.filter((c) => c.type === 'expunge');
    assert.equal(expunges.length, 1);
    assert.deepEqual(expunges[0].type === 'expunge' && expunges[0].uids, [uids[1]]);

    const again = await login(port);
    assert.equal(await command(again, 'STAT'), `+OK 2 ${Buffer.byteLength(MESSAGES[0]) + Buffer.byteLength(MESSAGES[2])}`);
    const uidl2 = await multiline(again, 'UIDL');
    assert.equal(uidl2.body.toString(), `1 ${hex(uids[0])}${hex(uidValidity)}\r\n2 ${hex(uids[2])}${hex(uidValidity)}\r\n`);
    assert.equal(await command(again, 'QUIT'), '+OK Logging out.');
    await imap.close();
    assert.deepEqual(errors, []);
  });

  void test('a dropped connection deletes and marks nothing; the lock is per user and shared by every server on the backend', async () => {
    const { store, port, server } = await setup();
    const second = await setup({}, store);
    const client = await login(port);
    await multiline(client, 'RETR 2');
    assert.equal(await command(client, 'DELE 1'), '+OK Message 1 deleted.');

    // Same user through another Pop3Server on the same backend: [IN-USE]. Another user is fine.
    const other = await Pop3LineClient.connect(second.port);
    await other.readLine();
    other.send('USER alice');
    await other.readLine();
    assert.equal(await command(other, 'PASS password'), '-ERR [IN-USE] Maildrop is locked by another POP3 session.');
    other.send('USER bob');
    await other.readLine();
    assert.equal(await command(other, 'PASS hunter2'), '+OK Logged in, maildrop has 0 messages (0 octets).');

    client.destroy();
    while (server.connectionCount > 0) await new Promise((r) => setImmediate(r));
    const check = await login(port);
    assert.equal(await command(check, 'STAT'), `+OK 3 ${MESSAGES.reduce((n, m) => n + Buffer.byteLength(m), 0)}`);
    check.destroy();
    const imap = await observe(store);
    const records = await imap.mailbox.fetch(imap.mailbox.snapshot.uids);
    assert.ok(records.every((r) => !r.flags.includes('\\Seen')), 'RETR without QUIT sets no \\Seen');
    await imap.close();
    other.destroy();
  });

  void test('a message expunged over IMAP during the POP3 session: RETR -ERR, DELE + QUIT still succeed', async () => {
    const { store, port } = await setup();
    const imap = await observe(store);
    const client = await login(port);
    const uids = imap.mailbox.snapshot.uids;
    await imap.mailbox.storeFlags([uids[0]], { op: 'add', flags: ['\\Deleted'] });
    assert.deepEqual(await imap.mailbox.expunge(), [uids[0]]);
    assert.equal(await command(client, 'RETR 1'), '-ERR Message was deleted by another session.');
    assert.equal(await command(client, 'DELE 1'), '+OK Message 1 deleted.');
    assert.equal(await command(client, 'DELE 3'), '+OK Message 3 deleted.');
    assert.equal(await command(client, 'QUIT'), '+OK Logging out, 2 messages deleted.');
    await client.closed();
    const status = await imap.user.status('INBOX');
    assert.equal(status.messages, 1);
    await imap.close();
  });

  void test('markSeen: false leaves flags alone; bad password gives [AUTH]; AUTH PLAIN works over the store', async () => {
    const { store, port } = await setup({ markSeen: false });
    const bad = await Pop3LineClient.connect(port);
    await bad.readLine();
    bad.send('USER alice');
    await bad.readLine();
    assert.equal(await command(bad, 'PASS nope'), '-ERR [AUTH] Authentication failed.');
    assert.equal(await command(bad, `AUTH PLAIN ${Buffer.from('\0alice\0password').toString('base64')}`), '+OK Logged in, maildrop has 3 messages (' + MESSAGES.reduce((n, m) => n + Buffer.byteLength(m), 0) + ' octets).');
    await multiline(bad, 'RETR 1');
    assert.equal(await command(bad, 'QUIT'), '+OK Logging out.');
    const imap = await observe(store);
    const records = await imap.mailbox.fetch(imap.mailbox.snapshot.uids);
    assert.ok(records.every((r) => !r.flags.includes('\\Seen')));
    await imap.close();
  });
});
