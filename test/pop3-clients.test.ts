/**
 * Real POP3 clients against a real listening server (127.0.0.1, port 0): Python's poplib, curl and fetchmail,
 * each in plaintext (loopback is trusted) and over STLS with a self-signed localhost certificate the client
 * trusts. The server is storePop3Handler over the memory store, so this is also the end-to-end path.
 * Clients that are not installed are skipped (CI installs curl and fetchmail).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryBackend, type MemoryBackend } from '../src/store/memory/index.ts';
import { Pop3Server, storePop3Handler } from '../src/pop3/index.ts';
import { testCertificate } from '../src/pop3/testing.ts';

const MESSAGES = [1, 2, 3].map(
  (i) => `From: sender${i}@example.com\r\nTo: alice@localhost\r\nSubject: message ${i}\r\nMessage-ID: <m${i}@example.com>\r\n\r\nbody ${i} line 1\r\n.line starting with a dot\r\nbody ${i} line 3\r\n`,
);
const SIZES = MESSAGES.map((m) => Buffer.byteLength(m));

function installed(command: string): boolean {
  return !spawnSync(command, ['--version'], { stdio: 'ignore' }).error;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 60_000, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
let certFile: string;
let tlsOptions: { key: string; cert: string };
const servers: Pop3Server[] = [];
const backends: MemoryBackend[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailroom-pop3-clients-'));
  tlsOptions = await testCertificate();
  certFile = join(dir, 'cert.pem');
  writeFileSync(certFile, tlsOptions.cert);
});

after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(backends.map((b) => b.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh store with alice's three messages and a server with STLS and POP3S. */
async function start() {
  const store = createMemoryBackend({ users: { alice: 'password' } });
  backends.push(store);
  const user = await store.login('alice', 'password', { protocol: 'cli', secure: true });
  await user.append('INBOX', MESSAGES.map((m) => ({ content: Buffer.from(m) })));
  await user.close();
  const server = new Pop3Server({ onConnection: storePop3Handler(store), tls: tlsOptions, authFailureDelay: 0 });
  servers.push(server);
  const { port } = await server.listen(0, '127.0.0.1');
  const { port: tlsPort } = await server.listenTLS(0, '127.0.0.1');
  const inbox = async () => {
    const u = await store.login('alice', 'password', { protocol: 'cli', secure: true });
    const status = await u.status('INBOX');
    await u.close();
    return status.messages;
  };
  return { store, server, port, tlsPort, inbox };
}

const POPLIB_SCRIPT = `
import json, poplib, ssl, sys
port, mode, cafile = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def connect(out=None):
    p = poplib.POP3('localhost', port, timeout=30)
    if mode == 'stls':
        p.stls(ssl.create_default_context(cafile=cafile))
    if out is not None:
        out['capa'] = p.capa()
    p.user('alice')
    p.pass_('password')
    return p
dec = lambda lines: [l.decode('latin-1') for l in lines]
out = {}
p = connect(out)
out['capa_transaction'] = p.capa()
out['stat'] = list(p.stat())
out['list'] = dec(p.list()[1])
out['uidl'] = dec(p.uidl()[1])
out['uidl2'] = p.uidl(2).decode()
resp, lines, octets = p.top(1, 1)
out['top'] = dec(lines)
resp, lines, octets = p.retr(2)
out['retr'] = dec(lines)
out['retr_resp'] = resp.decode()
out['dele'] = p.dele(1).decode()
out['quit'] = p.quit().decode()
p = connect()
out['stat_after'] = list(p.stat())
out['uidl_after'] = dec(p.uidl()[1])
p.quit()
print(json.dumps(out))
`;

void describe('real clients', () => {
  for (const mode of ['plain', 'stls'] as const) {
    void test(`python poplib (${mode}): STAT LIST UIDL TOP RETR DELE QUIT, then a second session sees the deletion`, { skip: !installed('python3') && 'python3 missing' }, async () => {
      const env = await start();
      const script = join(dir, 'poplib_client.py');
      writeFileSync(script, POPLIB_SCRIPT);
      const result = await run('python3', [script, String(env.port), mode, certFile]);
      assert.equal(result.code, 0, result.stderr);
      const out = JSON.parse(result.stdout) as Record<string, unknown>;
      const capa = out.capa as Record<string, string[]>;
      for (const cap of ['TOP', 'UIDL', 'RESP-CODES', 'PIPELINING', 'USER']) assert.ok(cap in capa, cap);
      assert.deepEqual(capa.SASL, ['PLAIN', 'LOGIN']);
      assert.equal('STLS' in capa, mode === 'plain');
      assert.deepEqual(Object.keys(out.capa_transaction as object).sort(), ['AUTH-RESP-CODE', 'EXPIRE', 'IMPLEMENTATION', 'PIPELINING', 'RESP-CODES', 'TOP', 'UIDL']);
      assert.deepEqual(out.stat, [3, SIZES[0] + SIZES[1] + SIZES[2]]);
      assert.deepEqual(out.list, SIZES.map((s, i) => `${i + 1} ${s}`));
      const uidl = out.uidl as string[];
      assert.equal(uidl.length, 3);
      assert.match(uidl[0], /^1 [0-9a-f]{16}$/);
      assert.equal(out.uidl2, `+OK ${uidl[1]}`);
      assert.deepEqual(out.top, ['From: sender1@example.com', 'To: alice@localhost', 'Subject: message 1', 'Message-ID: <m1@example.com>', '', 'body 1 line 1']);
      assert.equal(out.retr_resp, `+OK ${SIZES[1]} octets`);
      assert.deepEqual(out.retr, MESSAGES[1].split('\r\n').slice(0, -1));
      assert.match(out.quit as string, /^\+OK Logging out, 1 messages deleted\.$/);
      assert.deepEqual(out.stat_after, [2, SIZES[1] + SIZES[2]]);
      assert.deepEqual(out.uidl_after, [`1 ${uidl[1].slice(2)}`, `2 ${uidl[2].slice(2)}`]);
      assert.equal(await env.inbox(), 2);
    });
  }

  for (const mode of ['plain', 'stls', 'pop3s'] as const) {
    void test(`curl pop3 (${mode}): LIST, UIDL, RETR, DELE`, { skip: !installed('curl') && 'curl missing' }, async () => {
      const env = await start();
      const url = (path: string) => (mode === 'pop3s' ? `pop3s://localhost:${env.tlsPort}/${path}` : `pop3://localhost:${env.port}/${path}`);
      const tls = mode === 'plain' ? [] : ['--cacert', certFile, ...(mode === 'stls' ? ['--ssl-reqd'] : [])];
      const curl = (path: string, ...extra: string[]) => run('curl', ['-sS', '--max-time', '30', '-u', 'alice:password', ...tls, ...extra, url(path)]);
      const list = await curl('');
      assert.equal(list.code, 0, list.stderr);
      assert.equal(list.stdout, SIZES.map((s, i) => `${i + 1} ${s}\r\n`).join(''));
      const uidl = await curl('', '-X', 'UIDL');
      assert.equal(uidl.code, 0, uidl.stderr);
      assert.match(uidl.stdout, /^1 [0-9a-f]{16}\r\n2 [0-9a-f]{16}\r\n3 [0-9a-f]{16}\r\n$/);
      const retr = await curl('3');
      assert.equal(retr.code, 0, retr.stderr);
      assert.equal(retr.stdout, MESSAGES[2]);
      const dele = await curl('1', '-X', 'DELE', '-I');
      assert.equal(dele.code, 0, dele.stderr);
      const after = await curl('');
      assert.equal(after.stdout, `1 ${SIZES[1]}\r\n2 ${SIZES[2]}\r\n`);
      assert.equal(await env.inbox(), 2);
      if (mode === 'plain') {
        // Wrong password: curl reports a login failure (exit 67).
        const bad = await run('curl', ['-sS', '--max-time', '30', '-u', 'alice:wrong', url('')]);
        assert.equal(bad.code, 67, bad.stderr);
      }
    });
  }

  for (const mode of ['plain', 'stls'] as const) {
    void test(`fetchmail (${mode}): with keep the messages stay, without keep they are deleted`, { skip: !installed('fetchmail') && 'fetchmail missing' }, async () => {
      const env = await start();
      const home = mkdtempSync(join(dir, `fetchmail-${mode}-`));
      const mbox = join(home, 'mbox');
      const fetch = async (keep: boolean) => {
        const rc = join(home, 'fetchmailrc');
        writeFileSync(
          rc,
          [
            'set no syslog',
            `poll localhost protocol pop3 port ${env.port}`,
            '  user alice there with password "password" is alice here',
            `  mda "/bin/sh -c 'cat >> ${mbox}'"`,
            `  fetchall ${keep ? 'keep' : 'nokeep'}`,
            mode === 'stls' ? `  sslproto tls1.2+ sslcertck sslcertfile ${certFile}` : "  sslproto ''",
            '',
          ].join('\n'),
        );
        chmodSync(rc, 0o600);
        return run('fetchmail', ['-f', rc, '--idfile', join(home, 'ids'), '-v'], { FETCHMAILHOME: home, HOME: home });
      };
      const kept = await fetch(true);
      assert.equal(kept.code, 0, kept.stdout + kept.stderr);
      assert.match(kept.stdout + kept.stderr, mode === 'stls' ? /upgrade to TLS succeeded/ : /POP3> USER alice/);
      assert.equal(await env.inbox(), 3);
      const firstRun = readFileSync(mbox, 'latin1');
      for (let i = 1; i <= 3; i++) assert.ok(firstRun.includes(`Subject: message ${i}`));
      assert.ok(firstRun.includes('\n.line starting with a dot\n') || firstRun.includes('\r\n.line starting with a dot\r\n'));
      const removed = await fetch(false);
      assert.equal(removed.code, 0, removed.stdout + removed.stderr);
      assert.match(removed.stdout + removed.stderr, /POP3> DELE 3/);
      assert.equal(await env.inbox(), 0);
      assert.equal((readFileSync(mbox, 'latin1').match(/^Subject: message /gm) ?? []).length, 6);
      assert.ok(existsSync(mbox));
    });
  }
});
