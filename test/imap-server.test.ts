/**
 * ImapServer API and security at the door: STARTTLS (with pipelined-plaintext injection discarded),
 * implicit TLS, LOGINDISABLED, limits, auth failure counting, idle timers, graceful close, debug
 * redaction, extensions, enableAuth, the error funnel, serve(socket).
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { Writable } from 'node:stream';
import { generate } from 'selfsigned';
import { ImapFlow } from 'imapflow';
import { ImapServer, MIN_AUTO_LOGOUT, NO_STATUS, type CommandSpec } from '../src/imap/index.ts';
import { createMemoryBackend } from '../src/store/memory/index.ts';
import type { SaslMechanismFactory } from '../src/auth/types.ts';
import { RawClient, startServer } from './transcripts/harness.ts';

let tlsOptions: tls.SecureContextOptions;

before(async () => {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }],
  });
  tlsOptions = { key: pems.private, cert: pems.cert };
});

describe('TLS', () => {
  test('STARTTLS: LOGINDISABLED before, plaintext pipelined after STARTTLS is discarded, AUTH=PLAIN after', async () => {
    const srv = await startServer({ tls: tlsOptions, loopbackIsSecure: false, extensions: false });
    try {
      const c = await RawClient.connect(srv.port);
      assert.equal(await c.line(), '* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] Mailroom ready.');
      // The injection: a LOGIN pipelined in the same packet as STARTTLS must never run.
      c.write('a1 STARTTLS\r\na2 LOGIN alice password\r\n');
      assert.equal(await c.line(), 'a1 OK Begin TLS negotiation now.');
      const secure = tls.connect({ socket: c.socket, rejectUnauthorized: false, servername: 'localhost' });
      await new Promise<void>((resolve, reject) => {
        secure.once('secureConnect', resolve);
        secure.once('error', reject);
      });
      const reader = RawClient.over(secure);
      secure.write('b1 CAPABILITY\r\n');
      assert.equal(await reader.line(), '* CAPABILITY IMAP4rev1 AUTH=PLAIN');
      assert.equal(await reader.line(), 'b1 OK Capability completed.');
      secure.write('b2 STARTTLS\r\n');
      assert.equal(await reader.line(), 'b2 BAD TLS is already active.');
      assert.equal(srv.server.connections()[0].state, 'notAuthenticated', 'the injected LOGIN did not run');
      secure.write('b3 LOGIN alice password\r\n');
      assert.equal(await reader.line(), 'b3 OK [CAPABILITY IMAP4rev1] Logged in');
      assert.equal(srv.server.connections()[0].secure, true);
      secure.destroy();
    } finally {
      await srv.close();
    }
  });

  test('listenTLS (implicit TLS) and imapflow over STARTTLS', async () => {
    const backend = createMemoryBackend({ users: { alice: 'password' } });
    const server = new ImapServer({ backend, tls: tlsOptions, loopbackIsSecure: false, extensions: false });
    const { port: tlsPort } = await server.listenTLS(0, '127.0.0.1');
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      const secure = tls.connect({ host: '127.0.0.1', port: tlsPort, rejectUnauthorized: false, servername: 'localhost' });
      const reader = RawClient.over(secure);
      assert.equal(await reader.line(), '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Mailroom ready.');
      secure.write('a LOGIN alice password\r\n');
      assert.equal(await reader.line(), 'a OK [CAPABILITY IMAP4rev1] Logged in');
      secure.destroy();

      const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, tls: { rejectUnauthorized: false }, auth: { user: 'alice', pass: 'password' }, logger: false });
      await client.connect();
      assert.equal(client.secureConnection, true);
      assert.deepEqual((await client.list()).map((m) => m.path), ['INBOX']);
      await client.logout();
    } finally {
      await server.close();
      await backend.close();
    }
  });
});

describe('limits and hostile input', () => {
  test('an over-long line gets BAD [LIMIT] and BYE', async () => {
    const srv = await startServer();
    try {
      const c = await RawClient.connect(srv.port);
      await c.line();
      c.write('a1 NOOP ' + 'x'.repeat(70_000));
      assert.equal(await c.line(), 'a1 BAD [LIMIT] Line too long');
      assert.equal(await c.line(), '* BYE Line too long; closing connection.');
      assert.equal(await c.line(), null);
    } finally {
      await srv.close();
    }
  });

  test('a huge literal outside APPEND is refused before any "+", and the session goes on', async () => {
    const srv = await startServer();
    try {
      const c = await RawClient.connect(srv.port);
      await c.line();
      c.send('a1 LOGIN {2000000}');
      assert.equal(await c.line(), 'a1 BAD [LIMIT] Literal too large');
      assert.deepEqual(await c.command('a2', 'NOOP'), ['a2 OK NOOP completed.']);
      c.end();
    } finally {
      await srv.close();
    }
  });

  test('a refused LITERAL+ closes the connection (the stream cannot be resynchronized)', async () => {
    const srv = await startServer({ maxLiteralSize: 10 });
    try {
      const c = await RawClient.connect(srv.port);
      await c.line();
      await c.command('a0', 'LOGIN alice password');
      c.write('a1 APPEND INBOX {20+}\r\n01234567890123456789\r\n');
      assert.equal(await c.line(), 'a1 NO [TOOBIG] Message too large');
      assert.equal(await c.line(), '* BYE Literal refused; closing connection.');
      assert.equal(await c.line(), null);
    } finally {
      await srv.close();
    }
  });

  test('three failed logins close the connection; failures are delayed', async () => {
    const srv = await startServer({ authFailureDelay: 20 });
    try {
      const c = await RawClient.connect(srv.port);
      await c.line();
      assert.deepEqual(await c.command('a1', 'LOGIN alice x'), ['a1 NO [AUTHENTICATIONFAILED] Authentication failed']);
      assert.deepEqual(await c.command('a2', 'LOGIN alice y'), ['a2 NO [AUTHENTICATIONFAILED] Authentication failed']);
      assert.deepEqual(await c.command('a3', 'LOGIN alice z'), ['a3 NO [AUTHENTICATIONFAILED] Authentication failed']);
      assert.equal(await c.line(), '* BYE Too many invalid authentication attempts.');
      assert.equal(await c.line(), null);
    } finally {
      await srv.close();
    }
  });

  test('pre-auth idle timer', async () => {
    const srv = await startServer({ preAuthTimeout: 50 });
    try {
      const c = await RawClient.connect(srv.port);
      await c.line();
      assert.equal(await c.line(), '* BYE Disconnected for inactivity.');
      assert.equal(await c.line(), null);
    } finally {
      await srv.close();
    }
  });
});

describe('ImapServer API', () => {
  test('autoLogout below the RFC 3501 minimum is refused; 0 means never', () => {
    const backend = createMemoryBackend({});
    assert.throws(() => new ImapServer({ backend, autoLogout: 60_000 }), RangeError);
    assert.doesNotThrow(() => new ImapServer({ backend, autoLogout: 0 }));
    assert.doesNotThrow(() => new ImapServer({ backend, autoLogout: MIN_AUTO_LOGOUT }));
    assert.equal(MIN_AUTO_LOGOUT, 30 * 60 * 1000);
  });

  test('close() says BYE to every session', async () => {
    const srv = await startServer();
    const a = await RawClient.connect(srv.port);
    const b = await RawClient.connect(srv.port);
    await a.line();
    await b.line();
    await a.command('a1', 'LOGIN alice password');
    assert.equal(srv.server.connections().length, 2);
    assert.deepEqual(srv.server.connections().map((c) => c.state).sort(), ['authenticated', 'notAuthenticated']);
    await srv.close();
    assert.equal(await a.line(), '* BYE Server shutting down.');
    assert.equal(await b.line(), '* BYE Server shutting down.');
    assert.equal(await a.line(), null);
    assert.equal(srv.server.connections().length, 0);
  });

  test('debug mirrors traffic with credentials redacted', async () => {
    let trace = '';
    const debug = new Writable({
      write(chunk: Buffer, _enc, cb) {
        trace += chunk.toString();
        cb();
      },
    });
    const srv = await startServer({ debug });
    try {
      const c = await RawClient.connect(srv.port);
      await c.line();
      await c.command('a1', 'LOGIN alice s3cret-pw');
      await c.command('a2', 'AUTHENTICATE PLAIN AGFsaWNlAHBhc3N3b3Jk');
      await c.command('a3', 'NOOP');
      c.end();
      assert.match(trace, /\w+ C: a1 LOGIN <credentials redacted>/);
      assert.match(trace, /C: a2 AUTHENTICATE <credentials redacted>/);
      assert.match(trace, /C: a3 NOOP/);
      assert.match(trace, /S: a3 OK NOOP completed\./);
      assert.doesNotMatch(trace, /s3cret-pw|AGFsaWNlAHBhc3N3b3Jk/);
    } finally {
      await srv.close();
    }
  });

  test('enable(): extension capabilities and commands; the error funnel; NO_STATUS', async () => {
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (_f: object, m: string) => errors.push(m) };
    const srv = await startServer({ logger, extensions: false });
    const boom: CommandSpec<void> = {
      name: 'XBOOM',
      states: ['notAuthenticated'],
      expunge: 'allow',
      parse: (dec) => dec.end(),
      run() {
        return Promise.reject(new Error('internal detail that must not leak'));
      },
    };
    const own: CommandSpec<void> = {
      name: 'XOWN',
      states: ['notAuthenticated'],
      expunge: 'allow',
      parse: (dec) => dec.end(),
      async run(ctx) {
        await ctx.out.raw(Buffer.from(`${ctx.tag} OK custom completion\r\n`));
        return NO_STATUS;
      },
    };
    srv.server.enable({ name: 'X', capabilities: () => ['XTEST'], commands: [boom, own] });
    try {
      assert.equal(srv.server.command('xboom'), boom);
      const c = await RawClient.connect(srv.port);
      assert.equal(await c.line(), '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN XTEST] Mailroom ready.');
      const [line] = await c.command('a1', 'XBOOM');
      assert.match(line, /^a1 NO \[SERVERBUG\] Internal error occurred\. Refer to server log for more information\. \[\w+\]$/);
      assert.deepEqual(errors, ['command failed']);
      assert.deepEqual(await c.command('a2', 'XOWN'), ['a2 OK custom completion']);
      c.end();
    } finally {
      await srv.close();
    }
  });

  test('enableAuth(): a custom SASL mechanism is advertised and used', async () => {
    // A toy mechanism that verifies the user itself (kind 'verified'), opened through Backend.openUser.
    const xtoken: SaslMechanismFactory = () => ({
      step(response) {
        if (response === null) return Promise.resolve({ type: 'challenge', data: Buffer.from('token?') });
        return Promise.resolve(
          response.toString() === 'alice:good-token'
            ? { type: 'success', identity: { kind: 'verified', username: 'alice' } }
            : { type: 'failure', reason: 'bad token' },
        );
      },
    });
    const srv = await startServer({ extensions: false });
    srv.server.enableAuth('xtoken', xtoken);
    try {
      const c = await RawClient.connect(srv.port);
      assert.equal(await c.line(), '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=XTOKEN] Mailroom ready.');
      c.send('a1 AUTHENTICATE XTOKEN');
      assert.equal(await c.line(), '+ ' + Buffer.from('token?').toString('base64'));
      c.send(Buffer.from('alice:good-token').toString('base64'));
      assert.equal(await c.line(), 'a1 OK [CAPABILITY IMAP4rev1] Logged in');
      c.end();
    } finally {
      await srv.close();
    }
  });

  test('serve() takes an already-accepted socket', async () => {
    const backend = createMemoryBackend({ users: { alice: 'password' } });
    const server = new ImapServer({ backend, extensions: false });
    const listener = net.createServer((socket) => server.serve(socket));
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    try {
      const c = await RawClient.connect((listener.address() as net.AddressInfo).port);
      assert.match((await c.line()) ?? '', /^\* OK \[CAPABILITY IMAP4rev1 AUTH=PLAIN\]/);
      assert.deepEqual(await c.command('a1', 'LOGIN alice password'), ['a1 OK [CAPABILITY IMAP4rev1] Logged in']);
      c.end();
    } finally {
      await server.close();
      await new Promise<void>((r) => listener.close(() => r()));
      await backend.close();
    }
  });
});
