/**
 * The daemon end to end on a fresh SQLite data directory: first-run demo account, accounts added with the
 * CLI while the daemon runs, delivery by LMTP (nodemailer) and by `mailroom deliver` seen live by an IMAP
 * session idling in INBOX, reading by IMAP (imapflow, STARTTLS and IMAPS) and POP3 (Python's poplib, plain,
 * STLS and POP3S), metrics and health, SIGTERM with sessions open, and a restart on the same data.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { python, runCli, sampleMessage, startDaemon, tempDir, type Daemon, messageCount } from './daemon-harness.ts';

function imap(port: number, user: string, pass: string, options: Record<string, unknown> = {}): ImapFlow {
  return new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass }, logger: false, tls: { rejectUnauthorized: false }, ...options });
}

/** Pause between NOOPs while waiting for a delivery (the wait itself is bounded by the test timeout). */
const POLL_MS = 100;

/**
 * Resolves when the session has been told (untagged EXISTS) of at least `count` messages in its selected
 * mailbox: in IDLE when the server offers it (the client sends nothing until the EXISTS arrives), else by
 * polling with NOOP as clients do on servers without IDLE.
 */
async function existsAtLeast(client: ImapFlow, count: number): Promise<void> {
  const reached = (): boolean => {
    const box = client.mailbox;
    return box !== false && box !== undefined && box.exists >= count;
  };
  if (reached()) return;
  if (client.capabilities.has('IDLE')) {
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (!reached()) return;
        client.off('exists', check);
        resolve();
      };
      client.on('exists', check);
      // idle() resolves only when IDLE ends; the next command (FETCH, LOGOUT) ends it.
      void client.idle().catch(() => undefined);
    });
    return;
  }
  while (!reached()) {
    await client.noop();
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

const POP3_SCRIPT = `
import poplib, ssl, sys, email
mode, port, user, password, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
ctx = ssl.create_default_context(cafile=cafile)
if mode == 'pop3s':
    p = poplib.POP3_SSL('localhost', port, context=ctx)
else:
    p = poplib.POP3('127.0.0.1', port)
    if mode == 'stls':
        ctx.check_hostname = False
        p.stls(ctx)
p.user(user)
p.pass_(password)
count, size = p.stat()
print('count', count)
for i in range(1, count + 1):
    resp, lines, octets = p.retr(i)
    msg = email.message_from_bytes(b'\\r\\n'.join(lines))
    print('subject', msg['Subject'])
p.quit()
`;

async function pop3(mode: 'plain' | 'stls' | 'pop3s', port: number, user: string, pass: string, cafile: string): Promise<{ count: number; subjects: string[] }> {
  const out = await python(POP3_SCRIPT, [mode, String(port), user, pass, cafile]);
  const lines = out.trim().split('\n');
  return {
    count: Number(lines.find((l) => l.startsWith('count '))?.slice(6)),
    subjects: lines.filter((l) => l.startsWith('subject ')).map((l) => l.slice(8)),
  };
}

describe('mailroom serve, end to end', () => {
  const { dir, cleanup } = tempDir();
  const data = join(dir, 'data');
  let daemon: Daemon;
  let demoPassword = '';

  before(async () => {
    daemon = await startDaemon(data);
  });
  after(async () => {
    await daemon?.stop('SIGKILL');
    cleanup();
  });

  test('first run: demo account announced once, with a welcome message', async () => {
    const line = await daemon.waitForLog(/^demo account created: user=demo password=\S+$/);
    demoPassword = /password=(\S+)$/.exec(line.msg)![1];
    assert.equal(daemon.logs.filter((l) => l.msg.startsWith('demo account created')).length, 1);
    for (const name of ['imap', 'imaps', 'pop3', 'pop3s', 'lmtp', 'metrics']) assert.ok(daemon.ports[name] > 0, name);
    const client = imap(daemon.ports.imap, 'demo', demoPassword, { disableAutoIdle: true });
    await client.connect();
    try {
      assert.equal(client.secureConnection, true, 'imapflow upgraded with STARTTLS');
      const lock = await client.getMailboxLock('INBOX');
      try {
        const subjects: string[] = [];
        for await (const m of client.fetch('1:*', { envelope: true })) subjects.push(m.envelope?.subject ?? '');
        assert.deepEqual(subjects, ['Welcome to Mailroom']);
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  });

  test('accounts added by the CLI while the daemon runs; LMTP and deliver reach a session with INBOX selected', async () => {
    const add = await runCli(['user', 'add', 'alice', '--password-stdin', '--data', data], { input: 'alice-pw\n' });
    assert.equal(add.code, 0, add.stderr);

    const watcher = imap(daemon.ports.imap, 'alice', 'alice-pw', { disableAutoIdle: true });
    await watcher.connect();
    try {
      await watcher.mailboxOpen('INBOX');
      assert.equal(watcher.mailbox && watcher.mailbox.exists, 0);

      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: daemon.ports.lmtp, lmtp: true, secure: false, ignoreTLS: true });
      const sent = await transport.sendMail({
        envelope: { from: 'sender@example.test', to: ['alice@example.test'] },
        raw: sampleMessage('by lmtp'),
      });
      assert.deepEqual(sent.rejected, []);
      await existsAtLeast(watcher, 1);

      const unknown = await transport.sendMail({ envelope: { from: 'sender@example.test', to: ['nobody@example.test', 'alice+lists@example.test'] }, raw: sampleMessage('mixed') }).catch((e: Error) => e);
      assert.ok(!(unknown instanceof Error), unknown instanceof Error ? unknown.message : '');
      assert.deepEqual(unknown.rejected, ['nobody@example.test']);
      await existsAtLeast(watcher, 2);
      transport.close();

      const cli = await runCli(['deliver', 'alice', '--data', data], { input: sampleMessage('by deliver') });
      assert.equal(cli.code, 0, cli.stderr);
      // Delivered by another process: the daemon's SQLite store notices and the IDLE session hears of it.
      await existsAtLeast(watcher, 3);

      const seen: Array<{ subject: string; deliveredTo: boolean }> = [];
      for await (const m of watcher.fetch('1:*', { envelope: true, headers: ['delivered-to', 'return-path'] })) {
        seen.push({ subject: m.envelope?.subject ?? '', deliveredTo: /Delivered-To:/i.test(m.headers?.toString() ?? '') });
      }
      assert.deepEqual(seen, [
        { subject: 'by lmtp', deliveredTo: true },
        { subject: 'mixed', deliveredTo: true },
        { subject: 'by deliver', deliveredTo: false },
      ]);
    } finally {
      await watcher.logout();
    }
  });

  test('POP3 reads the same INBOX: plain on loopback, STLS and POP3S with the generated certificate', async () => {
    const cafile = join(data, 'tls', 'cert.pem');
    for (const [mode, port] of [['plain', daemon.ports.pop3], ['stls', daemon.ports.pop3], ['pop3s', daemon.ports.pop3s]] as const) {
      const r = await pop3(mode, port, 'alice', 'alice-pw', cafile);
      assert.equal(r.count, 3, mode);
      assert.deepEqual(r.subjects, ['by lmtp', 'mixed', 'by deliver'], mode);
    }
  });

  test('IMAPS with the generated certificate verified (SAN localhost, 127.0.0.1)', async () => {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: daemon.ports.imaps,
      secure: true,
      auth: { user: 'alice', pass: 'alice-pw' },
      logger: false,
      tls: { ca: readFileSync(join(data, 'tls', 'cert.pem')), minVersion: 'TLSv1.2' },
    });
    await client.connect();
    assert.equal(await messageCount(client), 3);
    await client.logout();
  });

  test('wrong passwords fail and are counted; /metrics and /healthz answer', async () => {
    const bad = imap(daemon.ports.imap, 'alice', 'wrong', { disableAutoIdle: true });
    await assert.rejects(bad.connect());
    bad.close();
    const base = `http://127.0.0.1:${daemon.ports.metrics}`;
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.match(text, /mailroom_connections_total\{protocol="imap"\} [1-9]/);
    assert.match(text, /mailroom_connections_total\{protocol="pop3s"\} [1-9]/);
    assert.match(text, /mailroom_commands_total\{protocol="imap",command="SELECT",result="ok"\} [1-9]/);
    assert.match(text, /mailroom_command_duration_seconds_bucket\{le="[^"]+",protocol="imap",command="FETCH"\}/);
    // Extension commands are instrumented too: the watcher above waited in IDLE (counted, but kept out of
    // the latency histogram since its duration is the client's idle time).
    assert.match(text, /mailroom_commands_total\{protocol="imap",command="IDLE",result="ok"\} [1-9]/);
    assert.doesNotMatch(text, /mailroom_command_duration_seconds_bucket\{[^}]*command="IDLE"/);
    assert.match(text, /mailroom_deliveries_total\{channel="lmtp",result="delivered"\} 2/);
    assert.match(text, /mailroom_commands_total\{protocol="pop3",command="RETR",result="ok"\} 9/);
    assert.match(text, /mailroom_commands_total\{protocol="pop3",command="STLS",result="ok"\} 1/);
    assert.match(text, /mailroom_auth_failures_total\{protocol="imap"\} 1/);
    assert.match(text, /nodejs_eventloop_lag_seconds/);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  });

  test('SIGTERM: BYE to an idling session, exit 0; a restart keeps the mail and creates no demo account', async () => {
    const client = imap(daemon.ports.imap, 'alice', 'alice-pw');
    await client.connect();
    await client.mailboxOpen('INBOX');
    const closed = new Promise<void>((resolve) => client.on('close', () => resolve()));
    const status = await daemon.stop('SIGTERM');
    assert.deepEqual(status, { code: 0, signal: null });
    await closed;
    assert.ok(daemon.logs.some((l) => l.msg === 'stopped'));

    daemon = await startDaemon(data);
    assert.ok(!daemon.logs.some((l) => l.msg.startsWith('demo account created')));
    assert.ok(!daemon.logs.some((l) => /self-signed/.test(l.msg)), 'the certificate is reused');
    const again = imap(daemon.ports.imap, 'alice', 'alice-pw', { disableAutoIdle: true });
    await again.connect();
    assert.equal(await messageCount(again, 'INBOX'), 3);
    assert.equal(await messageCount(again, 'INBOX'), 3);
    await again.logout();
    const demo = imap(daemon.ports.imap, 'demo', demoPassword, { disableAutoIdle: true });
    await demo.connect();
    await demo.logout();
  });
});
