/**
 * Session-level extensions against a real listening server (memory store, 127.0.0.1:0): IDLE receiving
 * another session's APPEND, STORE, EXPUNGE and MOVE and an LMTP delivery; IDLE with imapflow;
 * COMPRESS=DEFLATE with a raw zlib client and with imapflow (large FETCH and APPEND through the deflate
 * layer); UNAUTHENTICATE under COMPRESS; IMAP4rev2 ENABLE plumbing (no \Recent); AUTH=LOGIN and LITERAL+
 * policies; the start-up check of extensions; Python imaplib for ID, NAMESPACE, ENABLE, UNSELECT and
 * AUTHENTICATE LOGIN. No timing assertions: every wait is for a specific line.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import zlib from 'node:zlib';
import nodemailer from 'nodemailer';
import { ImapServer } from '../src/imap/server.ts';
import { defaultExtensions } from '../src/imap/extensions/index.ts';
import { imap4rev2Extension } from '../src/imap/extensions/imap4rev2.ts';
import { LmtpServer } from '../src/lmtp/index.ts';
import { createMemoryBackend } from '../src/store/memory/index.ts';
import { isMovable } from '../src/store/types.ts';
import { imapflow, LineClient, RawClient, startServer } from './transcripts/harness.ts';

const message = (subject: string, body = 'Hello'): string => `Subject: ${subject}\r\nFrom: a@example.org\r\n\r\n${body}\r\n`;

/** A line client speaking raw deflate after COMPRESS (what RFC 4978 clients do). */
class DeflateClient extends LineClient {
  private readonly deflate = zlib.createDeflateRaw();
  private readonly inflate = zlib.createInflateRaw();

  constructor(socket: net.Socket, pending: Buffer) {
    super();
    socket.removeAllListeners('data');
    this.deflate.on('data', (chunk: Buffer) => socket.write(chunk));
    this.inflate.on('data', (chunk: Buffer) => this.received(chunk));
    this.inflate.on('error', () => this.finished());
    if (pending.length > 0) this.inflate.write(pending);
    socket.on('data', (chunk: Buffer) => this.inflate.write(chunk));
    // The connection has ended only once the inflater has emitted everything received before the close.
    socket.on('close', () => this.inflate.end());
    this.inflate.on('end', () => this.finished());
  }

  /** Send one line with CRLF through the deflate layer. */
  send(text: string): void {
    this.deflate.write(text + '\r\n');
    this.deflate.flush(zlib.constants.Z_SYNC_FLUSH);
  }
}

/** Connect, log in, COMPRESS DEFLATE over a plain socket; returns the compressed client. */
async function compressedSession(port: number): Promise<DeflateClient> {
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  let buf = Buffer.alloc(0);
  const readLine = (): Promise<string> =>
    new Promise((resolve) => {
      const tryTake = (): boolean => {
        const i = buf.indexOf('\r\n');
        if (i < 0) return false;
        const line = buf.toString('latin1', 0, i);
        buf = buf.subarray(i + 2);
        resolve(line);
        return true;
      };
      if (tryTake()) return;
      const onData = (chunk: Buffer): void => {
        buf = Buffer.concat([buf, chunk]);
        if (tryTake()) socket.off('data', onData);
      };
      socket.on('data', onData);
    });
  assert.match(await readLine(), /^\* OK/);
  socket.write('a LOGIN alice password\r\n');
  const caps = await readLine();
  assert.match(caps, /^a OK \[CAPABILITY .*COMPRESS=DEFLATE/);
  socket.write('b COMPRESS DEFLATE\r\n');
  assert.equal(await readLine(), 'b OK DEFLATE active');
  return new DeflateClient(socket, buf);
}

describe('IDLE (RFC 2177)', () => {
  test('an idling session receives APPEND, STORE, EXPUNGE, MOVE by others and an LMTP delivery', async () => {
    const srv = await startServer();
    const lmtp = new LmtpServer({ backend: srv.backend });
    const lmtpPort = (await lmtp.listen(0, '127.0.0.1')).port;
    const idler = await RawClient.connect(srv.port);
    const other = await RawClient.connect(srv.port);
    try {
      await idler.login();
      await other.login();
      await other.command('o0', 'CREATE Archive');
      await idler.command('i1', 'SELECT INBOX');
      idler.send('i2 IDLE');
      assert.equal(await idler.line(), '+ idling');

      // APPEND by another session.
      const m = message('one');
      other.send(`o1 APPEND INBOX {${m.length}+}\r\n${m}`);
      await other.until('o1');
      assert.deepEqual(await idler.linesUntil(/RECENT$/), ['* 1 EXISTS', '* 1 RECENT']);

      // STORE by another session: FETCH FLAGS in Dovecot's order (\Recent after system flags).
      await other.command('o2', 'SELECT INBOX');
      await other.command('o3', 'STORE 1 +FLAGS (\\Flagged)');
      assert.equal(await idler.line(), '* 1 FETCH (FLAGS (\\Flagged \\Recent))');

      // EXPUNGE by another session.
      await other.command('o4', 'STORE 1 +FLAGS (\\Deleted)');
      assert.equal(await idler.line(), '* 1 FETCH (FLAGS (\\Flagged \\Deleted \\Recent))');
      await other.command('o5', 'EXPUNGE');
      assert.equal(await idler.line(), '* 1 EXPUNGE');

      // Delivery through LMTP.
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: lmtpPort, lmtp: true, ignoreTLS: true });
      await transport.sendMail({ envelope: { from: 's@example.org', to: ['alice@example.org'] }, raw: message('lmtp') });
      transport.close();
      assert.deepEqual(await idler.linesUntil(/RECENT$/), ['* 1 EXISTS', '* 1 RECENT']);

      // MOVE through the store's atomic move (what UID MOVE uses): the idler sees the expunge.
      const user = await srv.backend.login('alice', 'password', { protocol: 'imap', secure: false });
      const box = await user.openMailbox('INBOX', { readOnly: false, onChange: () => {} });
      assert.ok(isMovable(box), 'the memory store implements MovableMailbox');
      const [uid] = box.snapshot.uids;
      await box.move([uid], 'Archive');
      await box.close();
      await user.close();
      assert.equal(await idler.line(), '* 1 EXPUNGE');

      idler.send('DONE');
      assert.equal(await idler.line(), 'i2 OK Idle completed.');
      const st = await idler.command('i3', 'STATUS Archive (MESSAGES)');
      assert.equal(st[0], '* STATUS "Archive" (MESSAGES 1)');
    } finally {
      idler.end();
      other.end();
      await lmtp.close();
      await srv.close();
    }
  });

  test('updates queued before IDLE are sent right after "+ idling"; IDLE works without a mailbox', async () => {
    const srv = await startServer();
    const a = await RawClient.connect(srv.port);
    const b = await RawClient.connect(srv.port);
    try {
      await a.login();
      await b.login();
      a.send('x IDLE');
      assert.equal(await a.line(), '+ idling');
      a.send('done');
      assert.equal(await a.line(), 'x OK Idle completed.');
      await a.command('a1', 'SELECT INBOX');
      const m = message('queued');
      b.send(`b1 APPEND INBOX {${m.length}+}\r\n${m}`);
      await b.until('b1');
      a.send('a2 IDLE');
      assert.deepEqual(await a.linesUntil(/RECENT$/), ['+ idling', '* 1 EXISTS', '* 1 RECENT']);
      a.send('DONE');
      assert.equal(await a.line(), 'a2 OK Idle completed.');
    } finally {
      a.end();
      b.end();
      await srv.close();
    }
  });

  test('server close() while idling sends BYE', async () => {
    const srv = await startServer();
    const a = await RawClient.connect(srv.port);
    await a.login();
    a.send('a1 IDLE');
    assert.equal(await a.line(), '+ idling');
    await srv.close();
    assert.equal(await a.line(), '* BYE Server shutting down.');
    assert.equal(await a.line(), null);
  });

  test('imapflow: IDLE sees exists, flags and expunge events from another client', async () => {
    const srv = await startServer();
    const watcher = imapflow(srv.port);
    const actor = imapflow(srv.port, { disableAutoIdle: true });
    await watcher.connect();
    await actor.connect();
    try {
      await watcher.mailboxOpen('INBOX');
      const idling = watcher.idle();
      const exists = new Promise<number>((resolve) => watcher.once('exists', (d: { count: number }) => resolve(d.count)));
      await actor.append('INBOX', message('flow'));
      assert.equal(await exists, 1);
      const flags = new Promise<string[]>((resolve) => watcher.once('flags', (d: { flags: Set<string> }) => resolve([...d.flags])));
      await actor.mailboxOpen('INBOX');
      await actor.messageFlagsAdd('1', ['\\Seen']);
      assert.ok((await flags).includes('\\Seen'));
      const expunged = new Promise<number>((resolve) => watcher.once('expunge', (d: { seq: number }) => resolve(d.seq)));
      await actor.messageDelete('1');
      assert.equal(await expunged, 1);
      await watcher.noop();
      await idling;
    } finally {
      await actor.logout();
      await watcher.logout();
      await srv.close();
    }
  });
});

describe('COMPRESS=DEFLATE (RFC 4978)', () => {
  test('raw deflate both ways; responses flushed at once; a second COMPRESS is NO [COMPRESSIONACTIVE]', async () => {
    const srv = await startServer();
    try {
      const c = await compressedSession(srv.port);
      assert.deepEqual(await c.command('c1', 'NOOP'), ['c1 OK NOOP completed.']);
      assert.deepEqual(await c.command('c2', 'COMPRESS DEFLATE'), ['c2 NO [COMPRESSIONACTIVE] Compression already active']);
      const caps = await c.command('c3', 'CAPABILITY');
      assert.ok(!caps[0].includes('COMPRESS=DEFLATE'), 'not advertised once active');
      const body = 'x'.repeat(70) + '\r\n';
      const big = message('big', body.repeat(3000));
      c.send(`c4 APPEND INBOX {${big.length}}`);
      assert.equal(await c.line(), '+ Ready for literal data');
      c.send(big);
      assert.match((await c.line()) ?? '', /^c4 OK/);
      await c.command('c5', 'SELECT INBOX');
      const fetched = await c.command('c6', 'FETCH 1 RFC822.SIZE');
      assert.equal(fetched[0], `* 1 FETCH (RFC822.SIZE ${big.length})`);
      // IDLE through the compression layer: the update is flushed without any further client input.
      c.send('c7 IDLE');
      assert.equal(await c.line(), '+ idling');
      const other = await RawClient.connect(srv.port);
      await other.login();
      const m = message('while compressed');
      other.send(`o1 APPEND INBOX {${m.length}+}\r\n${m}`);
      await other.until('o1');
      other.end();
      assert.equal(await c.line(), '* 2 EXISTS');
      c.send('DONE');
      assert.deepEqual(await c.linesUntil(/^c7 /), ['* 2 RECENT', 'c7 OK Idle completed.']);
      assert.deepEqual(await c.command('c8', 'LOGOUT'), ['* BYE Logging out', 'c8 OK Logout completed.']);
      assert.equal(await c.line(), null);
    } finally {
      await srv.close();
    }
  });

  test('bad mechanism is BAD; COMPRESS needs authentication', async () => {
    const srv = await startServer();
    const c = await RawClient.connect(srv.port);
    try {
      await c.line();
      assert.deepEqual(await c.command('a', 'COMPRESS DEFLATE'), ['a BAD COMPRESS requires authentication']);
      await c.command('b', 'LOGIN alice password');
      assert.deepEqual(await c.command('c', 'COMPRESS LZW'), ['c BAD Unknown compression mechanism LZW']);
      assert.deepEqual(await c.command('d', 'NOOP'), ['d OK NOOP completed.']);
    } finally {
      c.end();
      await srv.close();
    }
  });

  test('UNAUTHENTICATE with COMPRESS active closes the connection (RFC 8437 section 3 allows BYE)', async () => {
    const srv = await startServer();
    try {
      const c = await compressedSession(srv.port);
      assert.deepEqual(await c.command('u', 'UNAUTHENTICATE'), ['u OK Unauthenticate completed.']);
      assert.equal(await c.line(), '* BYE Cannot unauthenticate with COMPRESS active; reconnect.');
      assert.equal(await c.line(), null);
    } finally {
      await srv.close();
    }
  });

  test('imapflow negotiates COMPRESS and moves a large message both ways through it', async () => {
    const srv = await startServer();
    const client = imapflow(srv.port, { disableAutoIdle: true });
    await client.connect();
    try {
      const [conn] = srv.server.connections();
      assert.ok(!conn.capabilities().includes('COMPRESS=DEFLATE'), 'imapflow turned compression on');
      const body = Array.from({ length: 20000 }, (_, i) => `line ${i} of a long message body`).join('\r\n');
      const raw = message('large', body);
      await client.append('INBOX', raw);
      await client.mailboxOpen('INBOX');
      const msg = await client.fetchOne('1', { source: true });
      assert.ok(msg && msg.source);
      assert.equal(msg.source.toString('latin1'), raw);
    } finally {
      await client.logout();
      await srv.close();
    }
  });
});

describe('IMAP4rev2 ENABLE plumbing (RFC 9051)', () => {
  test('ENABLE IMAP4rev2 is listed once, turns off \\Recent, RECENT and UNSEEN, puts UID in unsolicited FETCH; UNAUTHENTICATE resets it', async () => {
    const backend = createMemoryBackend({ users: { alice: 'password' } });
    const server = new ImapServer({ backend, authFailureDelay: 0, extensions: [...defaultExtensions({ backend }), imap4rev2Extension] });
    const { port } = await server.listen(0, '127.0.0.1');
    const a = await RawClient.connect(port);
    const b = await RawClient.connect(port);
    try {
      await a.login();
      await b.login();
      assert.match((await a.command('c', 'CAPABILITY'))[0], /^\* CAPABILITY IMAP4rev1 .*IMAP4rev2/);
      assert.deepEqual(await a.command('e1', 'ENABLE IMAP4rev2'), ['* ENABLED IMAP4rev2', 'e1 OK Enabled.']);
      assert.deepEqual(await a.command('e2', 'ENABLE imap4rev2'), ['* ENABLED', 'e2 OK Enabled.']);
      const m = message('rev2');
      b.send(`b1 APPEND INBOX {${m.length}+}\r\n${m}`);
      await b.until('b1');
      const sel = await a.command('s', 'SELECT INBOX');
      assert.ok(!sel.some((l) => /RECENT/.test(l)), 'no RECENT in rev2 SELECT');
      assert.ok(!sel.some((l) => /\[UNSEEN /.test(l)), 'no UNSEEN code in rev2 SELECT (the message is unseen)');
      a.send('i IDLE');
      assert.equal(await a.line(), '+ idling');
      b.send(`b2 APPEND INBOX {${m.length}+}\r\n${m}`);
      await b.until('b2');
      await b.command('b3', 'SELECT INBOX');
      await b.command('b4', 'STORE 2 +FLAGS (\\Seen)');
      assert.equal(await a.line(), '* 2 EXISTS');
      assert.equal(await a.line(), '* 2 FETCH (UID 2 FLAGS (\\Seen))');
      a.send('DONE');
      assert.equal(await a.line(), 'i OK Idle completed.');
      await a.command('u', 'UNAUTHENTICATE');
      await a.command('l', 'LOGIN alice password');
      const again = await a.command('s2', 'EXAMINE INBOX');
      assert.ok(again.includes('* 0 RECENT'), 'rev1 again after UNAUTHENTICATE');
    } finally {
      a.end();
      b.end();
      await server.close();
      await backend.close();
    }
  });
});

describe('policies and start-up checks', () => {
  test('AUTH=LOGIN follows the plaintext rules: not offered and refused without TLS off loopback', async () => {
    const srv = await startServer({ loopbackIsSecure: false });
    const c = await RawClient.connect(srv.port);
    try {
      assert.match((await c.line()) ?? '', /^\* OK \[CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=SCRAM-SHA-256 SASL-IR /);
      assert.deepEqual(await c.command('a', 'AUTHENTICATE LOGIN'), ['a NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure connections']);
    } finally {
      c.end();
      await srv.close();
    }
  });

  test('LITERAL+ by default: {n+} needs no continuation, even above 4096 bytes', async () => {
    const srv = await startServer();
    const c = await RawClient.connect(srv.port);
    try {
      assert.match((await c.line()) ?? '', / LITERAL\+ /);
      await c.command('a', 'LOGIN alice password');
      const m = message('plus', 'y'.repeat(5000));
      c.write(`b APPEND INBOX {${m.length}+}\r\n${m}\r\n`);
      assert.match((await c.line()) ?? '', /^b OK/);
    } finally {
      c.end();
      await srv.close();
    }
  });

  test('extensions: false serves plain RFC 3501; validate() failures stop the server from being built', () => {
    const backend = createMemoryBackend({ users: { alice: 'password' } });
    const plain = new ImapServer({ backend, extensions: false });
    assert.equal(plain.command('IDLE'), undefined);
    assert.ok(new ImapServer({ backend }).command('IDLE'));
    assert.throws(
      () =>
        new ImapServer({
          backend,
          extensions: [{ name: 'NEEDY', validate: () => { throw new Error('NEEDY needs Backend.frobnicate'); } }],
        }),
      /NEEDY needs Backend.frobnicate/,
    );
    void backend.close();
  });

  test('ID answers with the id option; null gives ID NIL', async () => {
    const srv = await startServer({ id: { name: 'Example', version: '2.0', 'support-url': null } });
    const c = await RawClient.connect(srv.port);
    try {
      await c.line();
      assert.deepEqual(await c.command('a', 'ID NIL'), ['* ID ("name" "Example" "version" "2.0" "support-url" NIL)', 'a OK ID completed.']);
    } finally {
      c.end();
      await srv.close();
    }
    const backend = createMemoryBackend();
    assert.throws(() => new ImapServer({ backend, id: { 'a-field-name-longer-than-thirty-octets': 'x' } }), RangeError);
    void backend.close();
    const srv2 = await startServer({ id: null });
    const d = await RawClient.connect(srv2.port);
    try {
      await d.line();
      assert.deepEqual(await d.command('a', 'ID ("name" "x")'), ['* ID NIL', 'a OK ID completed.']);
    } finally {
      d.end();
      await srv2.close();
    }
  });
});

describe('IMAP4rev2 folds in ENABLE, IDLE, NAMESPACE and UNSELECT', () => {
  test('a server with only the IMAP4rev2 extension still has those commands', async () => {
    const backend = createMemoryBackend({ users: { alice: 'password' } });
    const server = new ImapServer({ backend, authFailureDelay: 0, extensions: [imap4rev2Extension] });
    const { port } = await server.listen(0, '127.0.0.1');
    const c = await RawClient.connect(port);
    try {
      assert.equal(await c.line(), '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN IMAP4rev2] Mailroom ready.');
      await c.command('a', 'LOGIN alice password');
      assert.deepEqual(await c.command('b', 'ENABLE IMAP4rev2'), ['* ENABLED IMAP4rev2', 'b OK Enabled.']);
      assert.deepEqual(await c.command('c', 'NAMESPACE'), ['* NAMESPACE (("" "/")) NIL NIL', 'c OK Namespace completed.']);
      await c.command('d', 'SELECT INBOX');
      c.send('e IDLE');
      assert.equal(await c.line(), '+ idling');
      c.send('DONE');
      assert.equal(await c.line(), 'e OK Idle completed.');
      assert.deepEqual(await c.command('f', 'UNSELECT'), ['f OK Unselect completed.']);
    } finally {
      c.end();
      await server.close();
      await backend.close();
    }
  });
});

describe("Python's imaplib", () => {
  test('ID, NAMESPACE, ENABLE, UNSELECT, AUTHENTICATE LOGIN and COMPRESS-free sessions from a stock client', async () => {
    const srv = await startServer();
    try {
      const script = `
import imaplib, sys
m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
caps = m.capabilities
print('caps', all(c in caps for c in ('IDLE', 'ENABLE', 'NAMESPACE', 'UNSELECT', 'ID', 'SASL-IR', 'LITERAL+', 'AUTH=LOGIN')))
typ, data = m.xatom('ID', '("name" "imaplib")')
print('id', typ, m.untagged_responses.pop('ID', [b''])[0].decode())
answers = iter([b'alice', b'password'])
print('auth', m.authenticate('LOGIN', lambda challenge: next(answers))[0])
print('namespace', m.namespace()[1][0].decode())
print('enable', m.enable('CONDSTORE')[0])
print('select', m.select('INBOX')[0])
print('unselect', m.unselect()[0])
print('state', m.state)
print('logout', m.logout()[0])
`;
      const out = await new Promise<string>((resolve, reject) => {
        execFile('python3', ['-c', script, String(srv.port)], { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
      });
      assert.deepEqual(out.trim().split('\n'), [
        'caps True',
        'id OK ("name" "Mailroom")',
        'auth OK',
        'namespace (("" "/")) NIL NIL',
        'enable OK',
        'select OK',
        'unselect OK',
        'state AUTH',
        'logout BYE',
      ]);
    } finally {
      await srv.close();
    }
  });
});
