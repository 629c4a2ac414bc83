/* eslint-disable @typescript-eslint/require-await -- the interface is async (Promise-returning) even where this implementation needs no await */
/**
 * Golden POP3 transcripts against a real listening server (127.0.0.1, port 0) with the in-memory handler.
 * Script lines: `C: text` is sent (consecutive C lines go out in ONE write: pipelining), `S: text` must be the
 * next line received exactly, `S~ regex` must match it, `S: <close>` expects the server to hang up.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Pop3Server, Pop3ReportableError, type Pop3ServerOptions, type Pop3Handler } from '../src/pop3/index.ts';
import { MemoryMaildrops, Pop3LineClient, testCertificate } from '../src/pop3/testing.ts';
import { dotUnstuff } from '../src/pop3/dot-stuff.ts';
import { createScramSha256Mechanism, scramKeys } from '../src/auth/index.ts';

const M1 = 'From: a@example.com\r\nSubject: one\r\n\r\nHello\r\n.dot line\r\nthird\r\n';
const M2 = 'Subject: two\nX: y\n\nLF only\n';
const M2_CRLF = M2.replace(/\n/g, '\r\n');
const M3 = 'Subject: three\r\n\r\nbody';
const S1 = Buffer.byteLength(M1);
const S2 = Buffer.byteLength(M2_CRLF);
const S3 = Buffer.byteLength(M3);

const servers: Pop3Server[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function setup(options: Partial<Pop3ServerOptions> = {}, wrap?: (h: Pop3Handler) => Pop3Handler) {
  const drops = new MemoryMaildrops();
  drops.addUser('alice', 'secret');
  drops.deliver('alice', M1);
  drops.deliver('alice', M2);
  drops.deliver('alice', M3);
  drops.addUser('bob', 'pw');
  const server = new Pop3Server({
    hostname: 'test.example',
    authFailureDelay: 0,
    onConnection: () => (wrap ? wrap(drops.handler()) : drops.handler()),
    ...options,
  });
  servers.push(server);
  const { port } = await server.listen(0, '127.0.0.1');
  return { drops, server, port };
}

async function play(client: Pop3LineClient, script: string): Promise<void> {
  const lines = script.split('\n').map((l) => l.trimStart()).filter((l) => l !== '');
  let pending: string[] = [];
  const flush = () => {
    if (pending.length > 0) client.write(pending.map((l) => `${l}\r\n`).join(''));
    pending = [];
  };
  for (const line of lines) {
    const kind = line.slice(0, 2);
    const text = line.slice(3);
    if (kind === 'C:') {
      pending.push(text);
      continue;
    }
    flush();
    const got = await client.readLine();
    if (kind === 'S:' && text === '<close>') {
      assert.equal(got, null, 'expected the server to close');
    } else if (kind === 'S:') {
      assert.equal(got, text);
    } else if (kind === 'S~') {
      assert.match(got ?? '<closed>', new RegExp(`^${text}$`));
    } else {
      throw new Error(`bad script line ${line}`);
    }
  }
  flush();
}

async function transcript(script: string, options: Partial<Pop3ServerOptions> = {}, wrap?: (h: Pop3Handler) => Pop3Handler) {
  const env = await setup(options, wrap);
  const client = await Pop3LineClient.connect(env.port);
  await play(client, script);
  client.destroy();
  return env;
}

const CAPA_AUTH = `
  S: +OK Capability list follows
  S: TOP
  S: USER
  S: SASL PLAIN LOGIN
  S: RESP-CODES
  S: AUTH-RESP-CODE
  S: PIPELINING
  S: UIDL
  S: EXPIRE NEVER
  S: IMPLEMENTATION Mailroom
  S: .`;

const LOGIN = `
  C: USER alice
  S: +OK
  C: PASS secret
  S: +OK Logged in, maildrop has 3 messages (${S1 + S2 + S3} octets).`;

void describe('POP3 golden transcripts', () => {
  void test('greeting, CAPA in AUTHORIZATION and TRANSACTION, QUIT', async () => {
    await transcript(`
      S: +OK POP3 server ready.
      C: CAPA
      ${CAPA_AUTH}
      ${LOGIN}
      C: CAPA
      S: +OK Capability list follows
      S: TOP
      S: RESP-CODES
      S: AUTH-RESP-CODE
      S: PIPELINING
      S: UIDL
      S: EXPIRE NEVER
      S: IMPLEMENTATION Mailroom
      S: .
      C: QUIT
      S: +OK Logging out.
      S: <close>`);
  });

  void test('STAT, LIST, LIST n, UIDL, UIDL n, NOOP', async () => {
    await transcript(`
      S: +OK POP3 server ready.
      ${LOGIN}
      C: STAT
      S: +OK 3 ${S1 + S2 + S3}
      C: LIST
      S: +OK 3 messages (${S1 + S2 + S3} octets)
      S: 1 ${S1}
      S: 2 ${S2}
      S: 3 ${S3}
      S: .
      C: LIST 2
      S: +OK 2 ${S2}
      C: UIDL
      S: +OK Unique-ID listing follows
      S: 1 m1
      S: 2 m2
      S: 3 m3
      S: .
      C: UIDL 3
      S: +OK 3 m3
      C: NOOP
      S: +OK
      C: QUIT
      S: +OK Logging out.`);
  });

  void test('RETR: dot-stuffing, LF normalization, missing final newline', async () => {
    await transcript(`
      S: +OK POP3 server ready.
      ${LOGIN}
      C: RETR 1
      S: +OK ${S1} octets
      S: From: a@example.com
      S: Subject: one
      S:
      S: Hello
      S: ..dot line
      S: third
      S: .
      C: RETR 2
      S: +OK ${S2} octets
      S: Subject: two
      S: X: y
      S:
      S: LF only
      S: .
      C: RETR 3
      S: +OK ${S3} octets
      S: Subject: three
      S:
      S: body
      S: .`);
  });

  void test('TOP: header, blank line, then n body lines (not n lines of the whole message)', async () => {
    await transcript(`
      S: +OK POP3 server ready.
      ${LOGIN}
      C: TOP 1 0
      S: +OK Top of message follows
      S: From: a@example.com
      S: Subject: one
      S:
      S: .
      C: TOP 1 2
      S: +OK Top of message follows
      S: From: a@example.com
      S: Subject: one
      S:
      S: Hello
      S: ..dot line
      S: .
      C: TOP 2 100
      S: +OK Top of message follows
      S: Subject: two
      S: X: y
      S:
      S: LF only
      S: .`);
  });

  void test('DELE hides the message everywhere, RSET restores, QUIT deletes', async () => {
    const { drops } = await transcript(`
      S: +OK POP3 server ready.
      ${LOGIN}
      C: DELE 1
      S: +OK Message 1 deleted.
      C: DELE 1
      S: -ERR Message 1 is deleted.
      C: STAT
      S: +OK 2 ${S2 + S3}
      C: LIST
      S: +OK 2 messages (${S2 + S3} octets)
      S: 2 ${S2}
      S: 3 ${S3}
      S: .
      C: LIST 1
      S: -ERR Message 1 is deleted.
      C: RETR 1
      S: -ERR Message 1 is deleted.
      C: TOP 1 0
      S: -ERR Message 1 is deleted.
      C: UIDL 1
      S: -ERR Message 1 is deleted.
      C: UIDL
      S: +OK Unique-ID listing follows
      S: 2 m2
      S: 3 m3
      S: .
      C: RSET
      S: +OK maildrop has 3 messages (${S1 + S2 + S3} octets)
      C: STAT
      S: +OK 3 ${S1 + S2 + S3}
      C: DELE 1
      S: +OK Message 1 deleted.
      C: DELE 3
      S: +OK Message 3 deleted.
      C: QUIT
      S: +OK Logging out, 2 messages deleted.
      S: <close>`);
    assert.deepEqual(drops.accounts.get('alice')!.messages.map((m) => m.id), ['m2']);
    assert.equal(drops.isLocked('alice'), false);
  });

  void test('command errors and wrong states', async () => {
    await transcript(`
      S: +OK POP3 server ready.
      C: STAT
      S: -ERR Unknown command (not logged in).
      C: NOOP
      S: -ERR Unknown command (not logged in).
      C: FOO
      S: -ERR Unknown command.
      C: PASS secret
      S: -ERR No username given.
      C: USER
      S: -ERR USER needs an argument.
      C: USER alice
      S: +OK
      C: PASS wrong
      S: -ERR [AUTH] Authentication failed.
      C: PASS secret
      S: -ERR No username given.
      C: user alice
      S: +OK
      C: pass secret
      S~ \\+OK Logged in, .*
      C: USER alice
      S: -ERR Command not valid in this state.
      C: AUTH PLAIN
      S: -ERR Command not valid in this state.
      C: STLS
      S: -ERR Command not valid in this state.
      C: LIST 0
      S: -ERR There's no message 0.
      C: LIST 4
      S: -ERR There's no message 4.
      C: LIST abc
      S: -ERR Invalid message number: abc
      C: LIST 1 2
      S: -ERR Invalid arguments for LIST.
      C: RETR
      S: -ERR Invalid arguments for RETR.
      C: TOP 1
      S: -ERR Invalid arguments for TOP.
      C: TOP 1 -1
      S: -ERR Invalid number of lines: -1
      C: DELE 99999999999
      S: -ERR Invalid message number: 99999999999
      C: STAT x
      S: -ERR Invalid arguments for STAT.
      C: stat
      S: +OK 3 ${S1 + S2 + S3}
      C: QUIT
      S: +OK Logging out.`);
  });

  void test('PIPELINING: a whole session in one packet is answered in order', async () => {
    const env = await setup();
    const client = await Pop3LineClient.connect(env.port);
    assert.equal(await client.readLine(), '+OK POP3 server ready.');
    client.write('CAPA\r\nUSER alice\r\nPASS secret\r\nSTAT\r\nUIDL 2\r\nLIST 3\r\nRETR 3\r\nDELE 2\r\nNOOP\r\nQUIT\r\n');
    const expected = [
      ...CAPA_AUTH.split('\n').map((l) => l.trim().slice(3)).filter((l, i) => i > 0),
      '+OK',
      `+OK Logged in, maildrop has 3 messages (${S1 + S2 + S3} octets).`,
      `+OK 3 ${S1 + S2 + S3}`,
      '+OK 2 m2',
      `+OK 3 ${S3}`,
      `+OK ${S3} octets`,
      'Subject: three',
      '',
      'body',
      '.',
      '+OK Message 2 deleted.',
      '+OK',
      '+OK Logging out, 1 messages deleted.',
    ];
    for (const line of expected) assert.equal(await client.readLine(), line);
    assert.equal(await client.readLine(), null);
    assert.deepEqual(env.drops.accounts.get('alice')!.messages.map((m) => m.id), ['m1', 'm3']);
  });

  void test('AUTH: PLAIN with initial response, PLAIN after empty challenge, LOGIN, cancel, bad base64, listing', async () => {
    const plain = Buffer.from('\0alice\0secret').toString('base64');
    const bad = Buffer.from('\0alice\0nope').toString('base64');
    await transcript(`
      S: +OK POP3 server ready.
      C: AUTH
      S: +OK
      S: PLAIN
      S: LOGIN
      S: .
      C: AUTH CRAM-MD5
      S: -ERR Unsupported authentication mechanism.
      C: AUTH PLAIN %%%
      S: -ERR Invalid base64 data in initial response.
      C: AUTH PLAIN
      S: +${' '}
      C: *
      S: -ERR Authentication aborted by client.
      C: AUTH PLAIN ${bad}
      S: -ERR [AUTH] Authentication failed.
      C: AUTH PLAIN =
      S: -ERR [AUTH] Authentication failed.
      C: AUTH LOGIN
      S: + ${Buffer.from('Username:').toString('base64')}
      C: ${Buffer.from('alice').toString('base64')}
      S: + ${Buffer.from('Password:').toString('base64')}
      C: A=B=
      S: -ERR Invalid base64 data in continued response.
      C: AUTH PLAIN
      S: +${' '}
      C: ${plain}
      S~ \\+OK Logged in, maildrop has 3 messages .*
      C: AUTH PLAIN ${plain}
      S: -ERR Command not valid in this state.`, { maxAuthFailures: 10 });
    await transcript(`
      S: +OK POP3 server ready.
      C: auth login ${Buffer.from('alice').toString('base64')}
      S: + ${Buffer.from('Password:').toString('base64')}
      C: ${Buffer.from('secret').toString('base64')}
      S~ \\+OK Logged in, .*
      C: QUIT
      S: +OK Logging out.`);
    // An authzid other than the user is refused without authenticateSasl.
    await transcript(
      `
      S: +OK POP3 server ready.
      C: AUTH PLAIN ${Buffer.from('bob\0alice\0secret').toString('base64')}
      S: -ERR [AUTH] Authorization identity not permitted.
      C: AUTH PLAIN ${Buffer.from('alice\0alice\0secret').toString('base64')}
      S~ \\+OK Logged in, .*`,
      {},
      (h) => ({ ...h, authenticateSasl: undefined }),
    );
  });

  void test('AUTH SCRAM-SHA-256 (RFC 7677 vector): final server data goes out as a challenge answered empty', async () => {
    const nonce = '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const env = await setup({ mechanisms: { 'SCRAM-SHA-256': createScramSha256Mechanism({ serverNonce: () => nonce }) } });
    env.drops.addUser('user', 'pencil');
    env.drops.scram.set('user', await scramKeys('pencil', { salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), iterations: 4096 }));
    const client = await Pop3LineClient.connect(env.port);
    await play(client, `
      S: +OK POP3 server ready.
      C: AUTH
      S: +OK
      S: PLAIN
      S: LOGIN
      S: SCRAM-SHA-256
      S: .
      C: AUTH SCRAM-SHA-256 ${b64('n,,n=user,r=rOprNGfwEbeRWgbNEkqO')}
      S: + ${b64(`r=rOprNGfwEbeRWgbNEkqO${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`)}
      C: ${b64(`c=biws,r=rOprNGfwEbeRWgbNEkqO${nonce},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`)}
      S: + ${b64('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')}
      C:${' '}
      S: +OK Logged in, maildrop has 0 messages (0 octets).`);
    client.destroy();
    // A handler without SCRAM keys does not get the mechanism offered.
    await transcript(
      `
      S: +OK POP3 server ready.
      C: AUTH SCRAM-SHA-256
      S: -ERR Unsupported authentication mechanism.`,
      { mechanisms: { 'SCRAM-SHA-256': createScramSha256Mechanism() } },
      (h) => ({ ...h, saslLookup: undefined }),
    );
  });

  void test('lock held by another session: -ERR [IN-USE]; released after QUIT', async () => {
    const env = await setup();
    const first = await Pop3LineClient.connect(env.port);
    await play(first, `S: +OK POP3 server ready.\n${LOGIN}`);
    const second = await Pop3LineClient.connect(env.port);
    await play(second, `
      S: +OK POP3 server ready.
      C: USER alice
      S: +OK
      C: PASS secret
      S: -ERR [IN-USE] Maildrop is locked by another session.`);
    await play(first, 'C: QUIT\nS: +OK Logging out.');
    await play(second, `
      C: USER alice
      S: +OK
      C: PASS secret
      S~ \\+OK Logged in, .*`);
    second.destroy();
  });

  void test('a dropped connection deletes nothing and unlocks', async () => {
    const env = await setup();
    const client = await Pop3LineClient.connect(env.port);
    await play(client, `S: +OK POP3 server ready.\n${LOGIN}\nC: DELE 1\nS: +OK Message 1 deleted.`);
    assert.equal(env.drops.isLocked('alice'), true);
    client.destroy();
    while (env.server.connectionCount > 0) await new Promise((r) => setImmediate(r));
    assert.equal(env.drops.isLocked('alice'), false);
    assert.equal(env.drops.accounts.get('alice')!.messages.length, 3);
  });

  void test('deleteMessages failing: -ERR [SYS/TEMP], nothing deleted, unlocked', async () => {
    const { drops } = await transcript(
      `
      S: +OK POP3 server ready.
      ${LOGIN}
      C: DELE 1
      S: +OK Message 1 deleted.
      C: QUIT
      S: -ERR [SYS/TEMP] Some deleted messages not removed.
      S: <close>`,
      {},
      (h) => ({ ...h, deleteMessages: async () => Promise.reject(new Error('disk on fire')) }),
    );
    assert.equal(drops.accounts.get('alice')!.messages.length, 3);
    assert.equal(drops.isLocked('alice'), false);
    assert.equal((drops.sessionErrors[0] as Error).message, 'disk on fire');
  });

  void test('handler errors: reportable text reaches the client, others become a generic -ERR', async () => {
    const { drops } = await transcript(
      `
      S: +OK POP3 server ready.
      ${LOGIN}
      C: RETR 1
      S: -ERR Message vanished.
      C: RETR 2
      S: -ERR [SYS/TEMP] Internal server error.
      C: UIDL 3
      S: -ERR [SYS/TEMP] Internal server error.
      C: STAT
      S: +OK 3 ${S1 + S2 + S3}`,
      {},
      (h) => ({
        ...h,
        getMessageReader: async (n: number) => {
          if (n === 1) throw new Pop3ReportableError('Message vanished.');
          throw new Error('secret internal detail');
        },
        getMessageId: async () => 'bad id with spaces',
      }),
    );
    assert.equal(drops.sessionErrors.length, 2);
  });

  void test('a stream failing mid-message drops the connection', async () => {
    const { drops } = await transcript(
      `
      S: +OK POP3 server ready.
      ${LOGIN}
      C: RETR 1
      S: +OK ${S1} octets
      S: partial
      S: <close>`,
      {},
      (h) => ({
        ...h,
        getMessageReader: async () =>
          Readable.from(
            (async function* () {
              yield Buffer.from('partial\r\n');
              throw new Error('read failed');
            })(),
          ),
      }),
    );
    assert.equal((drops.sessionErrors[0] as Error).message, 'read failed');
  });

  void test('lockMaildrop throwing a plain error still gives [IN-USE]', async () => {
    await transcript(
      `
      S: +OK POP3 server ready.
      C: USER alice
      S: +OK
      C: PASS secret
      S: -ERR [IN-USE] Unable to lock maildrop.`,
      {},
      (h) => ({ ...h, lockMaildrop: async () => Promise.reject(new Error('lock service down')) }),
    );
  });

  void test('APOP: timestamp in the greeting and setBanner, digest checked', async () => {
    const env = await setup({ apop: true });
    const client = await Pop3LineClient.connect(env.port);
    const greeting = (await client.readLine())!;
    const m = /^\+OK POP3 server ready (<\d+\.\d+\.[0-9a-f]{16}@test\.example>)$/.exec(greeting);
    assert.ok(m, greeting);
    const digest = createHash('md5').update(`${m[1]}secret`).digest('hex');
    await play(client, `
      C: APOP alice 0123456789abcdef0123456789abcdef
      S: -ERR [AUTH] Authentication failed.
      C: APOP alice nothex
      S: -ERR Invalid APOP digest.
      C: APOP alice ${digest}
      S~ \\+OK Logged in, maildrop has 3 messages .*
      C: QUIT
      S: +OK Logging out.`);
    // Without the option APOP is an unknown command and the greeting has no timestamp.
    await transcript(`
      S: +OK POP3 server ready.
      C: APOP alice ${digest}
      S: -ERR Unknown command.`);
  });

  void test('plaintext refused when neither TLS nor loopback trust: no USER, no SASL, [AUTH] errors', async () => {
    await transcript(
      `
      S: +OK POP3 server ready.
      C: CAPA
      S: +OK Capability list follows
      S: TOP
      S: RESP-CODES
      S: AUTH-RESP-CODE
      S: PIPELINING
      S: UIDL
      S: EXPIRE 5
      S: LOGIN-DELAY 60
      S: IMPLEMENTATION Test Server
      S: .
      C: USER alice
      S: -ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.
      C: PASS secret
      S: -ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.
      C: AUTH PLAIN ${Buffer.from('\0alice\0secret').toString('base64')}
      S: -ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.
      C: AUTH
      S: +OK
      S: .`,
      { loopbackIsSecure: false, expire: 5, loginDelay: 60, implementation: 'Test Server' },
    );
  });

  void test('LOGIN-DELAY is enforced per user', async () => {
    const env = await setup({ loginDelay: 3600 });
    const c1 = await Pop3LineClient.connect(env.port);
    await play(c1, `S: +OK POP3 server ready.\n${LOGIN}\nC: QUIT\nS: +OK Logging out.`);
    const c2 = await Pop3LineClient.connect(env.port);
    await play(c2, `
      S: +OK POP3 server ready.
      C: USER alice
      S: +OK
      C: PASS secret
      S: -ERR [LOGIN-DELAY] Minimum time between logins is 3600 seconds.
      C: USER bob
      S: +OK
      C: PASS pw
      S: +OK Logged in, maildrop has 0 messages (0 octets).`);
    c2.destroy();
  });

  void test('limits: too many bad commands, too many auth failures, line too long', async () => {
    await transcript(
      `
      S: +OK POP3 server ready.
      C: X1
      S: -ERR Unknown command.
      C: X2
      S: -ERR Unknown command.
      C: X3
      S: -ERR Too many bad commands.
      S: <close>`,
      { maxBadCommands: 2 },
    );
    await transcript(`
      S: +OK POP3 server ready.
      C: USER alice
      S: +OK
      C: PASS a
      S: -ERR [AUTH] Authentication failed.
      C: USER alice
      S: +OK
      C: PASS b
      S: -ERR [AUTH] Authentication failed.
      C: USER alice
      S: +OK
      C: PASS c
      S: -ERR [AUTH] Authentication failed.
      S: <close>`);
    await transcript(
      `
      S: +OK POP3 server ready.
      C: USER ${'x'.repeat(100)}
      S: -ERR Line too long.
      C: USER alice
      S: +OK`,
      { maxLineLength: 64 },
    );
  });

  void test('onConnection returning null refuses the connection', async () => {
    const server = new Pop3Server({ onConnection: () => null });
    servers.push(server);
    const { port } = await server.listen(0);
    const client = await Pop3LineClient.connect(port);
    await play(client, 'S: -ERR [SYS/TEMP] Connection refused.\nS: <close>');
  });

  void test('timeout below 10 minutes is refused; bad expire is refused', () => {
    assert.throws(() => new Pop3Server({ onConnection: () => null, timeout: 60_000 }), RangeError);
    assert.throws(() => new Pop3Server({ onConnection: () => null, expire: -1 }), RangeError);
  });

  void test('close(): idle sessions are told and unlocked, nothing deleted', async () => {
    const env = await setup();
    const client = await Pop3LineClient.connect(env.port);
    await play(client, `S: +OK POP3 server ready.\n${LOGIN}\nC: DELE 1\nS: +OK Message 1 deleted.`);
    await env.server.close();
    await play(client, 'S: -ERR [SYS/TEMP] Server shutting down.\nS: <close>');
    assert.equal(env.drops.isLocked('alice'), false);
    assert.equal(env.drops.accounts.get('alice')!.messages.length, 3);
  });

  void test('STLS: pipelined plaintext after STLS is discarded; CAPA over TLS drops STLS; USER works', async () => {
    const { key, cert } = await testCertificate();
    const env = await setup({ tls: { key, cert }, loopbackIsSecure: false });
    const client = await Pop3LineClient.connect(env.port);
    await play(client, `
      S: +OK POP3 server ready.
      C: CAPA
      S: +OK Capability list follows
      S: TOP
      S: RESP-CODES
      S: AUTH-RESP-CODE
      S: PIPELINING
      S: UIDL
      S: EXPIRE NEVER
      S: IMPLEMENTATION Mailroom
      S: STLS
      S: .`);
    // The injection attempt: commands behind STLS in the same packet must never run.
    client.write('STLS\r\nUSER alice\r\nPASS secret\r\n');
    assert.equal(await client.readLine(), '+OK Begin TLS negotiation now.');
    await client.startTls({ ca: cert, servername: 'localhost' });
    await play(client, `
      C: STAT
      S: -ERR Unknown command (not logged in).
      C: STLS
      S: -ERR TLS is not available (or already active).
      C: CAPA
      ${CAPA_AUTH}
      ${LOGIN}
      C: RETR 2
      S: +OK ${S2} octets
      S: Subject: two
      S: X: y
      S:
      S: LF only
      S: .
      C: QUIT
      S: +OK Logging out.`);
  });

  void test('POP3S (listenTLS): implicit TLS with plaintext auth allowed', async () => {
    const { key, cert } = await testCertificate();
    const env = await setup({ tls: { key, cert }, loopbackIsSecure: false });
    const { port } = await env.server.listenTLS(0);
    const client = await Pop3LineClient.connectTls(port, { ca: cert, servername: 'localhost' });
    await play(client, `S: +OK POP3 server ready.\nC: CAPA\n${CAPA_AUTH}\n${LOGIN}\nC: QUIT\nS: +OK Logging out.`);
  });

  void test('serve(Duplex): a session over any stream; RETR body round-trips through dotUnstuff', async () => {
    const { drops } = await setup();
    const server = new Pop3Server({ onConnection: drops.onConnection, allowInsecureAuth: true });
    servers.push(server);
    const { PassThrough, Duplex } = await import('node:stream');
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    const serverSide = Duplex.from({ readable: toServer, writable: toClient });
    const done = server.serve(serverSide);
    toServer.write('USER alice\r\nPASS secret\r\nRETR 1\r\nQUIT\r\n');
    toServer.end();
    const chunks: Buffer[] = [];
    for await (const c of toClient) chunks.push(c as Buffer);
    await done;
    const text = Buffer.concat(chunks).toString('latin1');
    const start = text.indexOf(`+OK ${S1} octets\r\n`) + `+OK ${S1} octets\r\n`.length;
    assert.deepEqual(dotUnstuff(Buffer.from(text.slice(start), 'latin1'))?.toString('latin1'), M1);
    assert.match(text, /\+OK Logging out\.\r\n$/);
  });
});

void describe('session input split at every byte', () => {
  void test('the same session split at any byte gives the same output', async () => {
    const { drops } = await setup();
    const server = new Pop3Server({ onConnection: drops.onConnection, allowInsecureAuth: true, authFailureDelay: 0 });
    servers.push(server);
    const { PassThrough, Duplex } = await import('node:stream');
    const script = Buffer.from('CAPA\r\nUSER alice\r\nPASS secret\r\nSTAT\r\nLIST\r\nUIDL 1\r\nTOP 1 1\r\nRETR 2\r\nDELE 1\r\nRSET\r\nNOOP\nQUIT\r\n');
    const runSplit = async (at: number): Promise<string> => {
      const toServer = new PassThrough();
      const toClient = new PassThrough();
      const done = server.serve(Duplex.from({ readable: toServer, writable: toClient }));
      const chunks: Buffer[] = [];
      toClient.on('data', (c: Buffer) => chunks.push(c));
      toServer.write(script.subarray(0, at));
      await new Promise((resolve) => setImmediate(resolve));
      toServer.write(script.subarray(at));
      toServer.end();
      await done;
      return Buffer.concat(chunks).toString('latin1');
    };
    const whole = await runSplit(script.length);
    assert.match(whole, /\+OK Logging out\.\r\n$/);
    assert.ok(whole.includes(`+OK ${S2} octets\r\n${M2_CRLF}.\r\n`));
    for (let i = 0; i < script.length; i++) assert.equal(await runSplit(i), whole, `split at ${i}`);
    assert.equal(drops.accounts.get('alice')!.messages.length, 3);
  });
});

void describe('autologout', () => {
  void test('an idle session is closed after the timeout without entering UPDATE', async (t) => {
    const { drops } = await setup();
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const server = new Pop3Server({ onConnection: drops.onConnection, allowInsecureAuth: true, authFailureDelay: 0, timeout: 11 * 60 * 1000 });
    const { PassThrough, Duplex } = await import('node:stream');
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    const done = server.serve(Duplex.from({ readable: toServer, writable: toClient }));
    let output = '';
    toClient.on('data', (c: Buffer) => (output += c.toString('latin1')));
    toServer.write('USER alice\r\nPASS secret\r\nDELE 1\r\n');
    while (!output.includes('deleted')) await new Promise((resolve) => setImmediate(resolve));
    t.mock.timers.tick(10 * 60 * 1000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(!output.includes('inactivity'), 'not before the timeout');
    t.mock.timers.tick(60 * 1000);
    await done;
    assert.match(output, /-ERR Disconnected for inactivity\.\r\n$/);
    assert.equal(drops.accounts.get('alice')!.messages.length, 3);
    assert.equal(drops.isLocked('alice'), false);
  });
});
