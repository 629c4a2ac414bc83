/**
 * AUTH=SCRAM-SHA-256 (RFC 7677, RFC 5802) over a real listening server: a SCRAM client written from the RFC
 * logs in with and without SASL-IR, checks the server signature, fails with a wrong password or an unknown
 * user (same shape of exchange, so names cannot be probed), and the mechanism is offered without TLS
 * (the password never crosses the wire) but only when the backend keeps SCRAM keys.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { ImapServer } from '../src/imap/server.ts';
import { hashPassword } from '../src/auth/password.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryBackend } from '../src/store/memory/index.ts';
import { createSqliteBackend } from '../src/store/sqlite/index.ts';
import type { Backend } from '../src/store/types.ts';
import { RawClient } from './transcripts/harness.ts';

const hmac = (key: Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();
const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');

/** One SCRAM-SHA-256 client exchange (no channel binding). */
class ScramClient {
  readonly nonce = randomBytes(12).toString('base64');
  readonly first: string;
  private authMessage = '';
  private salted = Buffer.alloc(0);

  constructor(
    readonly user: string,
    private readonly password: string,
  ) {
    this.first = `n,,n=${user},r=${this.nonce}`;
  }

  /** client-final-message for a server-first-message. */
  final(serverFirst: string): string {
    const attrs = Object.fromEntries(serverFirst.split(',').map((p) => [p[0], p.slice(2)]));
    assert.ok(attrs.r.startsWith(this.nonce), 'server nonce extends ours');
    this.salted = pbkdf2Sync(this.password.normalize('NFKC'), Buffer.from(attrs.s, 'base64'), Number(attrs.i), 32, 'sha256');
    const clientKey = hmac(this.salted, 'Client Key');
    const storedKey = createHash('sha256').update(clientKey).digest();
    const withoutProof = `c=${b64('n,,')},r=${attrs.r}`;
    this.authMessage = `${this.first.slice(3)},${serverFirst},${withoutProof}`;
    const signature = hmac(storedKey, this.authMessage);
    const proof = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) proof[i] = clientKey[i] ^ signature[i];
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** Whether server-final-message carries the right ServerSignature. */
  verify(serverFinal: string): boolean {
    const expected = hmac(hmac(this.salted, 'Server Key'), this.authMessage).toString('base64');
    return serverFinal === `v=${expected}`;
  }
}

/** A memory store whose accounts were created with hashPassword() (credential strings carry SCRAM keys). */
async function scramBackend(): Promise<{ backend: Backend; close: () => Promise<void> }> {
  const memory = createMemoryBackend({ users: {} });
  for (const [name, pw] of [['alice', 'pässword'], ['bob', 'secret']] as const) {
    await memory.createAccount(name, await hashPassword(pw, { ln: 10, r: 8, p: 1 }));
  }
  return { backend: memory, close: () => memory.close() };
}

/** Run one SCRAM-SHA-256 login (SASL-IR form) on a fresh connection; returns the tagged line. */
async function scramLogin(port: number, user: string, password: string): Promise<string> {
  const c = await RawClient.connect(port);
  try {
    await c.line();
    const s = new ScramClient(user, password);
    c.send(`a AUTHENTICATE SCRAM-SHA-256 ${b64(s.first)}`);
    const first = Buffer.from(((await c.line()) ?? '').slice(2), 'base64').toString();
    c.send(b64(s.final(first)));
    const next = (await c.line()) ?? '';
    if (!next.startsWith('+ ')) return next;
    assert.ok(s.verify(Buffer.from(next.slice(2), 'base64').toString()), 'server signature');
    c.send('');
    return (await c.line()) ?? '';
  } finally {
    c.end();
  }
}

async function serve(backend: Backend, options: { loopbackIsSecure?: boolean } = {}): Promise<{ port: number; server: ImapServer }> {
  const server = new ImapServer({ backend, authFailureDelay: 0, ...options });
  const { port } = await server.listen(0, '127.0.0.1');
  return { port, server };
}

describe('AUTH=SCRAM-SHA-256', () => {
  test('logs in with and without an initial response; the server proves itself; capabilities', async () => {
    const { backend, close } = await scramBackend();
    const { port, server } = await serve(backend, { loopbackIsSecure: false });
    const c = await RawClient.connect(port);
    try {
      // Offered even where PLAIN/LOGIN are not (no TLS, not treated as secure): it is not a plaintext mechanism.
      const greeting = (await c.line()) ?? '';
      assert.match(greeting, /LOGINDISABLED/);
      assert.match(greeting, / AUTH=SCRAM-SHA-256[ \]]/);
      assert.doesNotMatch(greeting, /AUTH=PLAIN/);

      const s1 = new ScramClient('alice', 'pässword');
      c.send('a1 AUTHENTICATE SCRAM-SHA-256');
      assert.equal(await c.line(), '+ ');
      c.send(b64(s1.first));
      const serverFirst = Buffer.from(((await c.line()) ?? '').slice(2), 'base64').toString();
      c.send(b64(s1.final(serverFirst)));
      const serverFinal = Buffer.from(((await c.line()) ?? '').slice(2), 'base64').toString();
      assert.ok(s1.verify(serverFinal), `server signature: ${serverFinal}`);
      c.send('');
      assert.match((await c.line()) ?? '', /^a1 OK \[CAPABILITY IMAP4rev1 /);
      assert.deepEqual(await c.command('a2', 'UNAUTHENTICATE'), ['a2 OK Unauthenticate completed.']);

      // SASL-IR: the client-first-message on the command line.
      const s2 = new ScramClient('bob', 'secret');
      c.send(`b1 AUTHENTICATE SCRAM-SHA-256 ${b64(s2.first)}`);
      const first2 = Buffer.from(((await c.line()) ?? '').slice(2), 'base64').toString();
      c.send(b64(s2.final(first2)));
      assert.ok(s2.verify(Buffer.from(((await c.line()) ?? '').slice(2), 'base64').toString()));
      c.send('');
      assert.match((await c.line()) ?? '', /^b1 OK /);
      const st = await c.command('b2', 'STATUS INBOX (MESSAGES)');
      assert.equal(st[st.length - 1], 'b2 OK Status completed.');
    } finally {
      c.end();
      await server.close();
      await close();
    }
  });

  test('a wrong password and an unknown user fail at the proof, after the same exchange', async () => {
    const { backend, close } = await scramBackend();
    const { port, server } = await serve(backend);
    const c = await RawClient.connect(port);
    try {
      await c.line();
      for (const [tag, user, pw] of [['w', 'alice', 'wrong'], ['u', 'nobody', 'x']] as const) {
        const s = new ScramClient(user, pw);
        c.send(`${tag} AUTHENTICATE SCRAM-SHA-256 ${b64(s.first)}`);
        const first = Buffer.from(((await c.line()) ?? '').slice(2), 'base64').toString();
        assert.match(first, /^r=[^,]+,s=[A-Za-z0-9+/=]+,i=\d+$/);
        c.send(b64(s.final(first)));
        assert.equal(await c.line(), `${tag} NO [AUTHENTICATIONFAILED] Authentication failed`);
      }
    } finally {
      c.end();
      await server.close();
      await close();
    }
  });

  test('the stores keep the keys: memory (plaintext and hashed accounts) and SQLite (persisted)', async () => {
    const memory = createMemoryBackend({ users: { carol: 'plain-pw' } });
    const m = await serve(memory);
    try {
      assert.match(await scramLogin(m.port, 'carol', 'plain-pw'), /^a OK /);
      assert.equal(await scramLogin(m.port, 'carol', 'wrong'), 'a NO [AUTHENTICATIONFAILED] Authentication failed');
    } finally {
      await m.server.close();
      await memory.close();
    }
    const dir = await mkdtemp(join(tmpdir(), 'mailroom-scram-'));
    try {
      const first = createSqliteBackend({ path: dir });
      await first.createAccount('dave', await hashPassword('sqlite-pw', { ln: 10, r: 8, p: 1 }));
      await first.close();
      // A second open of the same data: the keys came from the database, not from memory.
      const sqlite = createSqliteBackend({ path: dir });
      const s = await serve(sqlite);
      try {
        assert.match(await scramLogin(s.port, 'dave', 'sqlite-pw'), /^a OK /);
        assert.equal(await scramLogin(s.port, 'nobody', 'x'), 'a NO [AUTHENTICATIONFAILED] Authentication failed');
      } finally {
        await s.server.close();
        await sqlite.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('not offered, and the extension refuses to start, over a backend without SCRAM keys', () => {
    const memory = createMemoryBackend({ users: { alice: 'password' } });
    const plainBackend: Backend = { login: (u, p, i) => memory.login(u, p, i) };
    const server = new ImapServer({ backend: plainBackend });
    assert.ok(!server.enabledExtensions().some((e) => e.name === 'AUTH=SCRAM-SHA-256'));
    const scram = new ImapServer({ backend: { ...plainBackend, scramCredentials: () => Promise.resolve(null), openUser: () => Promise.resolve(null) } });
    const ext = scram.enabledExtensions().find((e) => e.name === 'AUTH=SCRAM-SHA-256');
    assert.ok(ext);
    assert.throws(() => new ImapServer({ backend: plainBackend, extensions: [ext] }), /needs a backend with scramCredentials/);
    void memory.close();
  });
});
