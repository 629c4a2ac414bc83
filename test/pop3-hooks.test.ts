/**
 * Pop3Server hooks for embedders (the daemon's metrics and certificate reload): onCommand, onAuthFailure,
 * setSecureContext, and the live `secure` flag a handler (and through storePop3Handler, the store) sees
 * after STLS. Real servers on 127.0.0.1 port 0.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { generate } from 'selfsigned';
import {
  Pop3Server,
  storePop3Handler,
  type Pop3AuthFailureEvent,
  type Pop3CommandEvent,
  type Pop3Peer,
  type Pop3ServerOptions,
} from '../src/pop3/index.ts';
import { MemoryMaildrops, Pop3LineClient, testCertificate } from '../src/pop3/testing.ts';
import { createMemoryBackend, type MemoryBackend } from '../src/store/memory/index.ts';
import type { ConnectionInfo } from '../src/store/types.ts';

const servers: Pop3Server[] = [];
const backends: MemoryBackend[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(backends.map((b) => b.close()));
});

function newServer(options: Partial<Pop3ServerOptions> = {}): { server: Pop3Server; drops: MemoryMaildrops } {
  const drops = new MemoryMaildrops();
  drops.addUser('alice', 'secret');
  drops.deliver('alice', 'Subject: one\r\n\r\nbody\r\n');
  const server = new Pop3Server({ hostname: 'test.example', authFailureDelay: 0, onConnection: drops.onConnection, ...options });
  servers.push(server);
  return { server, drops };
}

/** Send one line and return the status line of the answer (and skip a multi-line body). */
async function say(client: Pop3LineClient, line: string, multiline = false): Promise<string> {
  client.send(line);
  const reply = (await client.readLine()) ?? '<closed>';
  if (multiline && reply.startsWith('+OK')) await client.readMultilineRaw();
  return reply;
}

/** A second, different self-signed certificate for localhost. */
async function otherCertificate(): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }],
  });
  return { key: pems.private, cert: pems.cert };
}

const fingerprintOf = (pem: string): string => new X509Certificate(pem).fingerprint256;

/** Certificate fingerprint presented on an implicit-TLS port. */
async function pop3sFingerprint(port: number): Promise<string> {
  const client = await Pop3LineClient.connectTls(port, { rejectUnauthorized: false, servername: 'localhost' });
  // Read the greeting first: a client that hangs up inside the handshake leaves the tls.Server waiting
  // for its handshake timeout, which would hold up close().
  assert.match((await client.readLine()) ?? '', /^\+OK/);
  const fp = (client.socket as TLSSocket).getPeerCertificate().fingerprint256;
  client.destroy();
  return fp;
}

/** Certificate fingerprint presented after STLS on a plain port. */
async function stlsFingerprint(port: number): Promise<string> {
  const client = await Pop3LineClient.connect(port);
  assert.match((await client.readLine()) ?? '', /^\+OK/);
  assert.equal(await say(client, 'STLS'), '+OK Begin TLS negotiation now.');
  await client.startTls({ rejectUnauthorized: false, servername: 'localhost' });
  const fp = (client.socket as TLSSocket).getPeerCertificate().fingerprint256;
  client.destroy();
  return fp;
}

void describe('onCommand', () => {
  void test('reports every answered command with its table name, result and connection id', async () => {
    const events: Pop3CommandEvent[] = [];
    const { server } = newServer({ onCommand: (e) => events.push(e), maxLineLength: 100 });
    const { port } = await server.listen(0);
    const client = await Pop3LineClient.connect(port);
    assert.equal(await client.readLine(), '+OK POP3 server ready.');
    assert.match(await say(client, 'CAPA', true), /^\+OK/);
    assert.match(await say(client, 'STAT'), /^-ERR/); // valid command, wrong state
    assert.match(await say(client, 'XYZZY'), /^-ERR Unknown command/);
    assert.match(await say(client, 'x'.repeat(200)), /^-ERR Line too long/);
    assert.equal(await say(client, 'user alice'), '+OK');
    assert.match(await say(client, 'PASS wrong'), /^-ERR \[AUTH\]/);
    assert.equal(await say(client, 'USER alice'), '+OK');
    assert.match(await say(client, 'PASS secret'), /^\+OK Logged in/);
    assert.match(await say(client, 'RETR 1', true), /^\+OK/);
    assert.match(await say(client, 'RETR 9'), /^-ERR/);
    assert.match(await say(client, 'LIST', true), /^\+OK/);
    assert.match(await say(client, 'QUIT'), /^\+OK/);
    await client.closed();
    assert.deepEqual(
      events.map((e) => [e.command, e.ok]),
      [
        ['CAPA', true],
        ['STAT', false],
        ['UNKNOWN', false],
        ['UNKNOWN', false],
        ['USER', true],
        ['PASS', false],
        ['USER', true],
        ['PASS', true],
        ['RETR', true],
        ['RETR', false],
        ['LIST', true],
        ['QUIT', true],
      ],
    );
    assert.equal(new Set(events.map((e) => e.connectionId)).size, 1);
    for (const e of events) assert.ok(Number.isFinite(e.durationMs) && e.durationMs >= 0, String(e.durationMs));
  });

  void test('AUTH counts once, after the SASL exchange; STLS counts once the handshake is done', async () => {
    const { key, cert } = await testCertificate();
    const events: Pop3CommandEvent[] = [];
    const { server } = newServer({ onCommand: (e) => events.push(e), tls: { key, cert } });
    const { port } = await server.listen(0);
    const client = await Pop3LineClient.connect(port);
    await client.readLine();
    assert.equal(await say(client, 'STLS'), '+OK Begin TLS negotiation now.');
    await client.startTls({ ca: cert, servername: 'localhost' });
    assert.equal(await say(client, 'AUTH PLAIN'), '+ ');
    assert.match(await say(client, Buffer.from('\0alice\0secret').toString('base64')), /^\+OK Logged in/);
    assert.match(await say(client, 'QUIT'), /^\+OK/);
    await client.closed();
    assert.deepEqual(events.map((e) => [e.command, e.ok]), [['STLS', true], ['AUTH', true], ['QUIT', true]]);
  });

  void test('a hook that throws is logged and the session goes on', async () => {
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (_f: object, m?: string) => errors.push(m ?? '') };
    const { server } = newServer({
      logger,
      onCommand: () => {
        throw new Error('hook bug');
      },
    });
    const { port } = await server.listen(0);
    const client = await Pop3LineClient.connect(port);
    await client.readLine();
    assert.equal(await say(client, 'NOOP'), '-ERR Unknown command (not logged in).');
    assert.equal(await say(client, 'USER alice'), '+OK');
    assert.match(await say(client, 'PASS secret'), /^\+OK Logged in/);
    assert.equal(await say(client, 'NOOP'), '+OK');
    client.destroy();
    assert.ok(errors.includes('pop3 onCommand hook threw'));
  });
});

void describe('onAuthFailure', () => {
  void test('PASS, APOP and AUTH failures are reported with command, mechanism and user', async () => {
    const events: Pop3AuthFailureEvent[] = [];
    const { server } = newServer({ onAuthFailure: (e) => events.push(e), apop: true, maxAuthFailures: 10 });
    const { port } = await server.listen(0);
    const client = await Pop3LineClient.connect(port);
    const greeting = (await client.readLine()) ?? '';
    const timestamp = /<[^>]+>/.exec(greeting)?.[0] ?? '';
    assert.notEqual(timestamp, '');
    assert.equal(await say(client, 'USER alice'), '+OK');
    assert.match(await say(client, 'PASS nope'), /^-ERR \[AUTH\]/);
    assert.match(await say(client, `APOP alice ${createHash('md5').update(`${timestamp}nope`).digest('hex')}`), /^-ERR \[AUTH\]/);
    assert.match(await say(client, `AUTH PLAIN ${Buffer.from('\0alice\0nope').toString('base64')}`), /^-ERR \[AUTH\]/);
    // Malformed PLAIN: the mechanism fails before any user is named.
    assert.match(await say(client, `AUTH PLAIN ${Buffer.from('garbage').toString('base64')}`), /^-ERR \[AUTH\]/);
    // Not failures of credentials: an aborted exchange and a successful login.
    assert.equal(await say(client, 'AUTH LOGIN'), '+ VXNlcm5hbWU6');
    assert.match(await say(client, '*'), /^-ERR/);
    assert.equal(await say(client, 'USER alice'), '+OK');
    assert.match(await say(client, 'PASS secret'), /^\+OK Logged in/);
    client.destroy();
    const base = { remoteAddress: '127.0.0.1', secure: false };
    assert.deepEqual(
      events.map(({ connectionId: _id, ...rest }) => rest),
      [
        { command: 'PASS', mechanism: null, username: 'alice', ...base },
        { command: 'APOP', mechanism: null, username: 'alice', ...base },
        { command: 'AUTH', mechanism: 'PLAIN', username: 'alice', ...base },
        { command: 'AUTH', mechanism: 'PLAIN', username: null, ...base },
      ],
    );
  });
});

void describe('setSecureContext', () => {
  void test('STLS, listenTLS and a served tls.Server switch certificates; sessions stay up; bad input changes nothing', async () => {
    const a = await testCertificate();
    const b = await otherCertificate();
    const { server } = newServer({ tls: a, loopbackIsSecure: false });
    const { port } = await server.listen(0);
    const { port: tlsPort } = await server.listenTLS(0);
    const served = createTlsServer({ ...a, allowHalfOpen: true });
    server.serve(served);
    await new Promise<void>((resolve) => served.listen(0, '127.0.0.1', resolve));
    const servedPort = (served.address() as { port: number }).port;
    try {
      assert.equal(await stlsFingerprint(port), fingerprintOf(a.cert));
      assert.equal(await pop3sFingerprint(tlsPort), fingerprintOf(a.cert));
      assert.equal(await pop3sFingerprint(servedPort), fingerprintOf(a.cert));

      // A session that is already logged in over TLS.
      const old = await Pop3LineClient.connectTls(tlsPort, { ca: a.cert, servername: 'localhost' });
      await old.readLine();
      assert.equal(await say(old, 'USER alice'), '+OK');
      assert.match(await say(old, 'PASS secret'), /^\+OK Logged in/);

      server.setSecureContext(b);
      assert.equal(await stlsFingerprint(port), fingerprintOf(b.cert));
      assert.equal(await pop3sFingerprint(tlsPort), fingerprintOf(b.cert));
      assert.equal(await pop3sFingerprint(servedPort), fingerprintOf(b.cert));
      assert.match(await say(old, 'STAT'), /^\+OK 1 /, 'the established session still works');

      assert.throws(() => server.setSecureContext({ cert: 'not a certificate', key: b.key }));
      assert.equal(await stlsFingerprint(port), fingerprintOf(b.cert));
      assert.equal(await pop3sFingerprint(tlsPort), fingerprintOf(b.cert));
      old.destroy();
    } finally {
      await server.close();
      await new Promise<void>((resolve) => served.close(() => resolve()));
    }
  });

  void test('on a server built without tls it turns STLS and listenTLS on', async () => {
    const a = await testCertificate();
    const { server } = newServer();
    const { port } = await server.listen(0);
    const client = await Pop3LineClient.connect(port);
    await client.readLine();
    client.send('CAPA');
    assert.doesNotMatch((await client.readMultilineRaw()).toString(), /STLS/);
    assert.throws(() => server.listenTLS(0));
    server.setSecureContext(a);
    const later = await Pop3LineClient.connect(port);
    await later.readLine();
    later.send('CAPA');
    await later.readLine();
    assert.match((await later.readMultilineRaw()).toString(), /\r\nSTLS\r\n/);
    const { port: tlsPort } = await server.listenTLS(0);
    assert.equal(await pop3sFingerprint(tlsPort), fingerprintOf(a.cert));
    client.destroy();
    later.destroy();
  });
});

void describe('secure flag after STLS', () => {
  void test('the peer given to onConnection becomes secure after STLS', async () => {
    const a = await testCertificate();
    const drops = new MemoryMaildrops();
    drops.addUser('alice', 'secret');
    const peers: Pop3Peer[] = [];
    const server = new Pop3Server({
      tls: a,
      authFailureDelay: 0,
      onConnection: (peer) => {
        peers.push(peer);
        return drops.handler();
      },
    });
    servers.push(server);
    const { port } = await server.listen(0);
    const client = await Pop3LineClient.connect(port);
    await client.readLine();
    assert.equal(peers[0].secure, false);
    assert.equal(peers[0].remoteAddress, '127.0.0.1');
    assert.equal(await say(client, 'STLS'), '+OK Begin TLS negotiation now.');
    await client.startTls({ ca: a.cert, servername: 'localhost' });
    assert.equal(await say(client, 'NOOP'), '-ERR Unknown command (not logged in).');
    assert.equal(peers[0].secure, true);
    assert.equal(JSON.parse(JSON.stringify(peers[0])).secure, true, 'an enumerable property');
    client.destroy();
  });

  void test('storePop3Handler tells the store secure: true for a login after STLS, false without', async () => {
    const a = await testCertificate();
    const backend = createMemoryBackend({ users: { alice: 'pw' } });
    backends.push(backend);
    const seen: ConnectionInfo[] = [];
    const login = backend.login.bind(backend);
    backend.login = (username, password, info) => {
      seen.push(info);
      return login(username, password, info);
    };
    const server = new Pop3Server({ tls: a, authFailureDelay: 0, onConnection: storePop3Handler(backend) });
    servers.push(server);
    const { port } = await server.listen(0);

    const tlsClient = await Pop3LineClient.connect(port);
    await tlsClient.readLine();
    assert.equal(await say(tlsClient, 'STLS'), '+OK Begin TLS negotiation now.');
    await tlsClient.startTls({ ca: a.cert, servername: 'localhost' });
    assert.equal(await say(tlsClient, 'USER alice'), '+OK');
    assert.match(await say(tlsClient, 'PASS pw'), /^\+OK Logged in/);
    assert.match(await say(tlsClient, 'QUIT'), /^\+OK/);
    await tlsClient.closed();

    // Loopback is trusted for plaintext by default: a login without STLS is allowed, and not secure.
    const plain = await Pop3LineClient.connect(port);
    await plain.readLine();
    assert.equal(await say(plain, 'USER alice'), '+OK');
    assert.match(await say(plain, 'PASS pw'), /^\+OK Logged in/);
    assert.match(await say(plain, 'QUIT'), /^\+OK/);
    await plain.closed();

    assert.deepEqual(seen, [
      { protocol: 'pop3', secure: true, remoteAddress: '127.0.0.1' },
      { protocol: 'pop3', secure: false, remoteAddress: '127.0.0.1' },
    ]);
  });
});

void describe('close() with unfinished TLS handshakes', () => {
  void test('a POP3S connection that never starts its handshake does not hold up close()', async () => {
    const a = await testCertificate();
    const { server } = newServer({ tls: a });
    const { port: tlsPort } = await server.listenTLS(0);
    const socket = netConnect(tlsPort, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const closedByServer = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
    await server.close(); // before the fix: waited for the tls.Server handshake timeout (120 s)
    await closedByServer;
  });

  void test('a client that half-closes right after +OK to STLS ends its session', async () => {
    const a = await testCertificate();
    const { server } = newServer({ tls: a });
    const { port } = await server.listen(0);
    const client = await Pop3LineClient.connect(port);
    await client.readLine();
    assert.equal(await say(client, 'STLS'), '+OK Begin TLS negotiation now.');
    client.socket.end(); // EOF instead of a ClientHello; the server runs with allowHalfOpen
    await client.closed();
    // Before the fix the session waited in the handshake forever, and close() with it.
    await server.close();
    assert.equal(server.connectionCount, 0);
  });
});
