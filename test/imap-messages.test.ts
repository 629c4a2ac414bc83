/**
 * FETCH, STORE, SEARCH and COPY end to end: a real ImapServer on 127.0.0.1:0 over the memory store, driven
 * by imapflow 2.1.2, by Python's imaplib, and by a raw line client for two concurrent sessions on one
 * mailbox (RFC 3501 section 7.4.1: no EXPUNGE during FETCH, STORE or SEARCH).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import type { ImapFlow } from 'imapflow';
import { ImapServer } from '../src/imap/server.ts';
import { copyCommands } from '../src/imap/commands/copy.ts';
import { fetchCommands } from '../src/imap/commands/fetch.ts';
import { searchCommands } from '../src/imap/commands/search.ts';
import { storeCommands } from '../src/imap/commands/store.ts';
import { createMemoryBackend } from '../src/store/memory/index.ts';
import { imapflow } from './transcripts/harness.ts';

const MSG1 =
  'From: Alice <alice@example.com>\r\nTo: Bob <bob@example.com>\r\nSubject: hello\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <1@x>\r\n\r\nHello world\r\nline two\r\n';
const MSG2 =
  'From: Carol <carol@example.com>\r\nTo: bob@example.com\r\nSubject: =?ISO-8859-1?Q?caf=E9?=\r\nDate: Tue, 8 Feb 1994 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9 au lait\r\n--XX\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAwQFBgc=\r\n--XX--\r\n';
const MSG3 = 'From: dave@example.com\r\nSubject: third\r\n\r\nnothing special\r\n';
const DATE = new Date(Date.UTC(2001, 8, 9, 1, 46, 40));

/** A server with alice's INBOX holding MSG1..MSG3 (MSG2 \Flagged) and an empty "Archive". */
async function startServer(): Promise<{ server: ImapServer; port: number }> {
  const backend = createMemoryBackend({ users: { alice: 'password' } });
  const user = await backend.login('alice', 'password', { protocol: 'cli', secure: true });
  await user.append('INBOX', [
    { content: Buffer.from(MSG1), internalDate: DATE },
    { content: Buffer.from(MSG2, 'latin1'), flags: ['\\Flagged'], internalDate: DATE },
    { content: Buffer.from(MSG3), internalDate: new Date(Date.UTC(2020, 0, 1)) },
  ]);
  await user.createMailbox('Archive');
  await user.close();
  const server = new ImapServer({ backend, authFailureDelay: 0 });
  // Registered explicitly so the test does not depend on the command table's wiring.
  server.enable({ name: 'messages', commands: [...fetchCommands, ...storeCommands, ...searchCommands, ...copyCommands] });
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port };
}

/** A minimal IMAP client: sends tagged commands, collects lines up to the tagged completion. */
class LineClient {
  private buf = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  private n = 0;
  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.waiter?.();
    });
  }

  static async connect(port: number): Promise<LineClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new LineClient(socket);
    await client.until((text) => text.includes('\r\n'));
    client.buf = Buffer.alloc(0);
    return client;
  }

  private async until(done: (text: string) => boolean): Promise<void> {
    while (!done(this.buf.toString('latin1'))) {
      await new Promise<void>((resolve) => (this.waiter = resolve));
      this.waiter = null;
    }
  }

  /** Run one command; returns every response line (literals inline) including the tagged one. */
  async command(text: string): Promise<string[]> {
    const tag = `A${++this.n}`;
    this.socket.write(`${tag} ${text}\r\n`);
    const marker = new RegExp(`(^|\\r\\n)${tag} [^\\r\\n]*\\r\\n`);
    await this.until((t) => marker.test(t));
    const text2 = this.buf.toString('latin1');
    const m = marker.exec(text2);
    assert.ok(m);
    const end = m.index + m[0].length;
    this.buf = this.buf.subarray(end);
    return text2.slice(0, end).split('\r\n').slice(0, -1);
  }

  close(): void {
    this.socket.destroy();
  }
}

const servers: ImapServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function server(): Promise<number> {
  const s = await startServer();
  servers.push(s.server);
  return s.port;
}

void describe('imapflow', () => {
  let port = 0;
  let client: ImapFlow;
  before(async () => {
    port = await server();
    client = imapflow(port);
    await client.connect();
    await client.mailboxOpen('INBOX');
  });
  after(async () => {
    await client.logout();
  });

  void test('fetch: envelope, flags, sizes, body structure, internal date, source', async () => {
    const messages = await client.fetchAll('1:*', {
      uid: true,
      flags: true,
      envelope: true,
      bodyStructure: true,
      internalDate: true,
      size: true,
      source: true,
    });
    assert.equal(messages.length, 3);
    const [m1, m2] = messages;
    assert.equal(m1.uid, 1);
    assert.equal(m1.envelope?.subject, 'hello');
    assert.equal(m1.envelope?.from?.[0]?.address, 'alice@example.com');
    assert.equal(m1.envelope?.messageId, '<1@x>');
    assert.equal(m1.size, Buffer.byteLength(MSG1));
    assert.equal(m1.source?.toString(), MSG1);
    assert.equal(new Date(m1.internalDate as Date).getTime(), DATE.getTime());
    // imapflow sends ENABLE IMAP4rev2 when it is advertised, and IMAP4rev2 has no \Recent (RFC 9051 appendix E).
    assert.deepEqual([...(m2.flags ?? [])].sort(), ['\\Flagged']);
    assert.equal(m2.bodyStructure?.type, 'multipart/mixed');
    assert.equal(m2.bodyStructure?.childNodes?.[1]?.type, 'application/octet-stream');
    // imapflow asks for `source` with BODY.PEEK[]: nothing became \Seen.
    const again = await client.fetchOne('1', { flags: true });
    assert.ok(again);
    assert.equal(again.flags?.has('\\Seen'), false);
  });

  void test('fetch: body parts, header fields, BINARY through download()', async () => {
    const m = await client.fetchOne('2', { bodyParts: ['1', '2', '1.mime'], headers: ['subject'] });
    assert.ok(m);
    assert.equal(m.bodyParts?.get('1')?.toString(), 'caf=E9 au lait');
    assert.equal(m.bodyParts?.get('2')?.toString(), 'AAECAwQFBgc=');
    assert.match(m.bodyParts?.get('1.mime')?.toString() ?? '', /^Content-Type: text\/plain/);
    assert.equal(m.headers?.toString(), 'Subject: =?ISO-8859-1?Q?caf=E9?=\r\n\r\n');
    const dl = await client.download('2', '2');
    assert.ok('content' in dl && dl.content);
    const chunks: Buffer[] = [];
    for await (const chunk of dl.content) chunks.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(chunks), Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]));
  });

  void test('store: add, remove, set flags and keywords', async () => {
    await client.messageFlagsAdd('1', ['\\Answered', '$Label1']);
    let m = await client.fetchOne('1', { flags: true });
    assert.ok(m);
    assert.ok(m.flags?.has('\\Answered') && m.flags.has('$Label1'));
    await client.messageFlagsRemove('1', ['$Label1']);
    await client.messageFlagsSet({ uid: '3' }, ['\\Draft'], { uid: true });
    m = await client.fetchOne('1', { flags: true });
    assert.ok(m);
    assert.equal(m.flags?.has('$Label1'), false);
    const m3 = await client.fetchOne('3', { flags: true, uid: true });
    assert.ok(m3);
    assert.deepEqual([...(m3.flags ?? [])].filter((f) => f !== '\\Recent'), ['\\Draft']);
  });

  void test('search: flags, headers, sizes, dates, OR, NOT, UID', async () => {
    assert.deepEqual(await client.search({ flagged: true }), [2]);
    assert.deepEqual(await client.search({ from: 'carol' }), [2]);
    assert.deepEqual(await client.search({ subject: 'third' }), [3]);
    assert.deepEqual(await client.search({ body: 'world' }), [1]);
    assert.deepEqual(await client.search({ or: [{ from: 'carol' }, { from: 'dave' }] }), [2, 3]);
    assert.deepEqual(await client.search({ not: { flagged: true } }), [1, 3]);
    assert.deepEqual(await client.search({ since: new Date(Date.UTC(2019, 0, 1)) }), [3]);
    assert.deepEqual(await client.search({ larger: 300 }), [2]);
    assert.deepEqual(await client.search({ header: { 'message-id': '<1@x>' } }), [1]);
    assert.deepEqual(await client.search({ uid: '2:*' }, { uid: true }), [2, 3]);
    assert.deepEqual(await client.search({ all: true }, { uid: true }), [1, 2, 3]);
  });

  void test('copy, TRYCREATE, expunge', async () => {
    const copied = await client.messageCopy('1:2', 'Archive');
    assert.ok(copied);
    const status = await client.status('Archive', { messages: true });
    assert.ok(status);
    assert.equal(status.messages, 2);
    // imapflow reports a failed COPY as false (the TRYCREATE code itself is checked with imaplib below).
    assert.equal(await client.messageCopy('1', 'Nowhere'), false);
    assert.equal(await client.messageDelete('1'), true);
    const left = await client.fetchAll('1:*', { uid: true });
    assert.deepEqual(
      left.map((m) => m.uid),
      [2, 3],
    );
  });

  void test('a 3 MB message streams through FETCH BODY[]', async () => {
    const big = `Subject: big\r\n\r\n${'0123456789abcdef'.repeat(200_000)}\r\n`;
    await client.append('INBOX', big);
    const last = await client.fetchOne('*', { source: true, size: true });
    assert.ok(last);
    assert.equal(last.size, big.length);
    assert.equal(last.source?.toString(), big);
  });
});

void describe('imapflow, two sessions', () => {
  void test('an EXPUNGE by one session reaches the other only after its FETCH, STORE and SEARCH', async () => {
    const port = await server();
    const a = imapflow(port);
    const b = imapflow(port);
    await a.connect();
    await b.connect();
    await a.mailboxOpen('INBOX');
    await b.mailboxOpen('INBOX');
    const expunged: number[] = [];
    a.on('expunge', (event: { seq: number }) => expunged.push(event.seq));
    assert.equal(await b.messageDelete('1'), true);

    const fetched = await a.fetchAll('1:*', { uid: true });
    assert.deepEqual(expunged, []);
    assert.deepEqual(
      fetched.map((m) => m.uid),
      [2, 3],
    );
    await a.messageFlagsAdd('3', ['\\Flagged']);
    assert.deepEqual(await a.search({ all: true }), [2, 3]);
    assert.deepEqual(expunged, []);

    await a.noop();
    assert.deepEqual(expunged, [1]);
    assert.deepEqual(
      (await a.fetchAll('1:*', { uid: true })).map((m) => m.uid),
      [2, 3],
    );
    await a.logout();
    await b.logout();
  });
});

void describe('raw protocol', () => {
  void test('BODY[] sets \\Seen and answers FLAGS; partial and BINARY responses', async () => {
    const port = await server();
    const c = await LineClient.connect(port);
    await c.command('LOGIN alice password');
    await c.command('SELECT INBOX');
    assert.deepEqual(await c.command('FETCH 1 BODY[]<0.4>'), [
      '* 1 FETCH (FLAGS (\\Seen \\Recent) BODY[]<0> {4}',
      'From)',
      'A3 OK Fetch completed.',
    ]);
    assert.deepEqual(await c.command('UID FETCH 2 (BINARY.PEEK[1] BINARY.SIZE[1])'), [
      '* 2 FETCH (UID 2 BINARY[1] {12}',
      'caf\xe9 au lait BINARY.SIZE[1] 12)',
      'A4 OK Fetch completed.',
    ]);
    assert.deepEqual(await c.command('STORE 2 +FLAGS.SILENT (\\Seen)'), ['A5 OK Store completed.']);
    assert.deepEqual(await c.command('SEARCH UNSEEN'), ['* SEARCH 3', 'A6 OK Search completed.']);
    assert.deepEqual(await c.command('SEARCH CHARSET KOI8-X ALL'), ['A7 NO [BADCHARSET (US-ASCII UTF-8)] Unknown charset KOI8-X']);
    assert.deepEqual(await c.command('EXAMINE INBOX').then((l) => l.at(-1)), 'A8 OK [READ-ONLY] Examine completed.');
    assert.match((await c.command('STORE 1 +FLAGS (\\Deleted)'))[0], /^A9 NO /);
    c.close();
  });

  void test('two sessions: no EXPUNGE during FETCH, STORE, SEARCH; delivered at NOOP', async () => {
    const port = await server();
    const a = await LineClient.connect(port);
    const b = await LineClient.connect(port);
    await a.command('LOGIN alice password');
    await b.command('LOGIN alice password');
    await a.command('SELECT INBOX');
    await b.command('SELECT INBOX');
    await b.command('STORE 1 +FLAGS.SILENT (\\Deleted)');
    assert.deepEqual(await b.command('EXPUNGE'), ['* 1 EXPUNGE', 'A4 OK Expunge completed.']);
    await b.command('STORE 1 +FLAGS.SILENT (\\Answered)'); // B's message 1 is A's message 2

    const fetched = await a.command('FETCH 1:3 (UID)');
    assert.ok(!fetched.some((l) => / EXPUNGE$/.test(l)), fetched.join('\n'));
    // A still numbers the expunged message 1; the store no longer has it (RFC 5530 EXPUNGEISSUED).
    assert.deepEqual(fetched.filter((l) => l.startsWith('* ') && l.includes('FETCH (UID')), ['* 2 FETCH (UID 2)', '* 3 FETCH (UID 3)']);
    assert.equal(fetched.at(-1), 'A3 NO [EXPUNGEISSUED] Some of the requested messages no longer exist.');

    const stored = await a.command('STORE 3 +FLAGS (\\Flagged)');
    assert.ok(!stored.some((l) => / EXPUNGE$/.test(l)), stored.join('\n'));
    assert.ok(stored.includes('* 3 FETCH (FLAGS (\\Flagged \\Recent))') || stored.includes('* 3 FETCH (FLAGS (\\Flagged))'), stored.join('\n'));

    const searched = await a.command('SEARCH ALL');
    assert.ok(!searched.some((l) => / EXPUNGE$/.test(l)), searched.join('\n'));
    // Message 1 is gone from the store, so it cannot match; numbering is still A's.
    assert.ok(searched.includes('* SEARCH 2 3'), searched.join('\n'));

    const noop = await a.command('NOOP');
    assert.ok(noop.includes('* 1 EXPUNGE'), noop.join('\n'));
    // B's flag change reached A as an untagged FETCH (allowed during any command, RFC 3501 section 7.4.1).
    const seen = [...fetched, ...stored, ...searched, ...noop];
    assert.ok(seen.some((l) => /^\* 2 FETCH \(FLAGS \(.*\\Answered/.test(l)), seen.join('\n'));
    assert.deepEqual(await a.command('FETCH 1:* (UID)').then((l) => l.filter((x) => x.startsWith('*'))), [
      '* 1 FETCH (UID 2)',
      '* 2 FETCH (UID 3)',
    ]);
    a.close();
    b.close();
  });
});

void describe('python imaplib', () => {
  void test('fetch, store, search, copy, expunge', async () => {
    const port = await server();
    const script = `
import imaplib, sys
m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
m.login('alice', 'password')
typ, data = m.select('INBOX')
assert typ == 'OK' and data == [b'3'], data
typ, data = m.fetch('1', '(UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
assert typ == 'OK', data
assert data[0][0] == b'1 (UID 1 RFC822.SIZE ${Buffer.byteLength(MSG1)} BODY[HEADER.FIELDS (SUBJECT)] {18}', data
assert data[0][1] == b'Subject: hello\\r\\n\\r\\n', data
typ, data = m.fetch('1:2', '(RFC822)')
assert typ == 'OK' and len([d for d in data if isinstance(d, tuple)]) == 2, data
typ, data = m.fetch('1', '(FLAGS)')
assert b'\\\\Seen' in data[0], data
typ, data = m.store('3', '+FLAGS', '(\\\\Deleted $Junk)')
assert typ == 'OK' and b'\\\\Deleted' in data[0] and b'$Junk' in data[0], data
typ, data = m.search(None, 'UNSEEN')
assert data == [b'3'], data
typ, data = m.uid('SEARCH', None, 'KEYWORD', '$Junk')
assert data == [b'3'], data
typ, data = m.search('UTF-8', 'SUBJECT', 'hello')
assert data == [b'1'], data
typ, data = m.copy('1:2', 'Archive')
assert typ == 'OK', data
typ, data = m.copy('1', 'Missing')
assert typ == 'NO' and data[0].startswith(b'[TRYCREATE]'), data
typ, data = m.uid('COPY', '2', 'Archive')
assert typ == 'OK', data
typ, data = m.expunge()
assert data == [b'3'], data
typ, data = m.uid('FETCH', '1:*', '(FLAGS)')
assert len(data) == 2 and data[0].startswith(b'1 (UID 1 FLAGS'), data
typ, data = m.status('Archive', '(MESSAGES)')
assert b'MESSAGES 3' in data[0], data
m.logout()
print('ok')
`;
    const out = await run('python3', ['-c', script, String(port)]);
    assert.equal(out.trim(), 'ok');
  });
});

/** Run a command, resolve with its stdout (rejects on a non-zero exit). */
function run(command: string, args: string[]): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${command} exited ${code}: ${stderr}`))));
  });
}

const hasCurl = spawnSync('curl', ['--version']).status === 0;

void describe('curl imap://', { skip: hasCurl ? false : 'curl is not installed' }, () => {
  void test('UID FETCH BODY[], a section, and SEARCH through URLs (RFC 5092)', async () => {
    const port = await server();
    const base = `imap://127.0.0.1:${port}/INBOX`;
    const auth = ['-s', '-u', 'alice:password'];
    assert.equal(await run('curl', [...auth, `${base};UID=1`]), MSG1);
    assert.equal(await run('curl', [...auth, `${base};UID=2;SECTION=1`]), 'caf=E9 au lait');
    assert.equal(await run('curl', [...auth, `${base}?SUBJECT%20third`]), '* SEARCH 3\r\n');
  });
});
