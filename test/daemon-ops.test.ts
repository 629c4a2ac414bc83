/**
 * Operations: `--static-password` (login and delivery create accounts; a warning is logged) and SIGHUP
 * certificate reload without dropping sessions (IMAPS, STARTTLS and STLS all present the new certificate).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { ensureSelfSigned } from '../src/daemon/tls.ts';
import { runCli, sampleMessage, startDaemon, tempDir, messageCount, imapClient } from './daemon-harness.ts';

test('--static-password: any name logs in, accounts are created at first login and delivery', async () => {
  const { dir, cleanup } = tempDir('mailroom-static-');
  try {
    const daemon = await startDaemon(join(dir, 'data'), ['--store', 'memory', '--static-password', 'load-pw', '--imap', '127.0.0.1:0', '--lmtp', '[::1]:0', '--no-demo']).catch(
      // Hosts without IPv6 loopback: fall back to 127.0.0.1 for LMTP.
      () => startDaemon(join(dir, 'data'), ['--store', 'memory', '--static-password', 'load-pw', '--imap', '127.0.0.1:0', '--lmtp', 'localhost:0', '--no-demo']),
    );
    try {
      assert.ok(daemon.logs.some((l) => l.level === 40 && /static password enabled/.test(l.msg)), 'warning logged');
      const first = imapClient(daemon.ports.imap, 'user0001', 'load-pw');
      await first.connect();
      assert.equal(await messageCount(first, 'INBOX'), 0);
      await first.logout();

      const wrong = imapClient(daemon.ports.imap, 'user0001', 'other');
      await assert.rejects(wrong.connect());
      wrong.close();

      const host = daemon.logs.find((l) => /^listening: lmtp=/.test(l.msg))!.msg.includes('[::1]') ? '::1' : 'localhost';
      const transport = nodemailer.createTransport({ host, port: daemon.ports.lmtp, lmtp: true, secure: false, ignoreTLS: true });
      const sent = await transport.sendMail({ envelope: { from: 'a@example.test', to: ['fresh+tag@example.test'] }, raw: sampleMessage('first delivery') });
      transport.close();
      assert.deepEqual(sent.accepted, ['fresh+tag@example.test']);
      const fresh = imapClient(daemon.ports.imap, 'fresh', 'load-pw');
      await fresh.connect();
      assert.equal(await messageCount(fresh, 'INBOX'), 1);
      await fresh.logout();
    } finally {
      await daemon.stop('SIGTERM');
    }

    // `deliver` honours the same setting (config key static_password / MAILROOM_STATIC_PASSWORD).
    const data = ['--data', join(dir, 'sqlite')];
    let r = await runCli(['deliver', 'ghost', ...data], { input: sampleMessage('to nobody') });
    assert.equal(r.code, 67);
    r = await runCli(['deliver', 'ghost', ...data], { input: sampleMessage('to ghost'), env: { MAILROOM_STATIC_PASSWORD: 'x' } });
    assert.equal(r.code, 0, r.stderr);
    r = await runCli(['user', 'list', ...data]);
    assert.equal(r.stdout.trim(), 'ghost');
  } finally {
    cleanup();
  }
});

/** Read from a socket until `pattern` matches the text received so far. */
function readUntil(socket: Socket, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (c: Buffer) => {
      text += c.toString('latin1');
      if (pattern.test(text)) {
        socket.off('data', onData);
        socket.off('error', reject);
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.on('error', reject);
  });
}

/** SHA-256 fingerprint of the certificate presented after an optional plaintext upgrade command. */
async function fingerprint(port: number, upgrade?: { greeting: RegExp; command: string; ok: RegExp }): Promise<string> {
  let socket: Socket | undefined;
  if (upgrade) {
    socket = netConnect(port, '127.0.0.1');
    await readUntil(socket, upgrade.greeting);
    socket.write(upgrade.command);
    await readUntil(socket, upgrade.ok);
  }
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ ...(socket ? { socket } : { port, host: '127.0.0.1' }), rejectUnauthorized: false, minVersion: 'TLSv1.2' }, () => {
      resolve(s.getPeerX509Certificate()?.fingerprint256 ?? '');
      s.destroy();
    });
    s.on('error', reject);
  });
}

test('SIGHUP reloads the configured certificate for IMAPS, STARTTLS and STLS without dropping sessions', async () => {
  const { dir, cleanup } = tempDir('mailroom-sighup-');
  try {
    const a = await ensureSelfSigned(join(dir, 'a'), 'localhost');
    const b = await ensureSelfSigned(join(dir, 'b'), 'localhost');
    const fpA = new X509Certificate(readFileSync(a.cert)).fingerprint256;
    const fpB = new X509Certificate(readFileSync(b.cert)).fingerprint256;
    mkdirSync(join(dir, 'live'));
    const live = { cert: join(dir, 'live', 'cert.pem'), key: join(dir, 'live', 'key.pem') };
    copyFileSync(a.cert, live.cert);
    copyFileSync(a.key, live.key);
    writeFileSync(join(dir, 'mailroom.toml'), `demo = false\n[tls]\ncert = "${live.cert}"\nkey = "${live.key}"\n`);

    const add = await runCli(['user', 'add', 'alice', '--password-stdin', '--data', join(dir, 'data')], { input: 'pw\n' });
    assert.equal(add.code, 0, add.stderr);
    const daemon = await startDaemon(join(dir, 'data'), ['--config', join(dir, 'mailroom.toml'), '--imap', '127.0.0.1:0', '--imaps', '127.0.0.1:0', '--pop3', '127.0.0.1:0']);
    try {
      const starttls = { greeting: /^\* OK.*\r\n/, command: 'a STARTTLS\r\n', ok: /a OK.*\r\n/ };
      const stls = { greeting: /^\+OK.*\r\n/, command: 'STLS\r\n', ok: /\+OK.*\r\n/ };
      assert.equal(await fingerprint(daemon.ports.imaps), fpA);
      assert.equal(await fingerprint(daemon.ports.imap, starttls), fpA);
      assert.equal(await fingerprint(daemon.ports.pop3, stls), fpA);

      const session = new ImapFlow({ host: '127.0.0.1', port: daemon.ports.imaps, secure: true, auth: { user: 'alice', pass: 'pw' }, logger: false, disableAutoIdle: true, tls: { rejectUnauthorized: false } });
      await session.connect();
      await session.mailboxOpen('INBOX');

      copyFileSync(b.cert, live.cert);
      copyFileSync(b.key, live.key);
      daemon.child.kill('SIGHUP');
      await daemon.waitForLog(/^TLS certificate reloaded$/);

      assert.equal(await fingerprint(daemon.ports.imaps), fpB);
      assert.equal(await fingerprint(daemon.ports.imap, starttls), fpB);
      assert.equal(await fingerprint(daemon.ports.pop3, stls), fpB);
      await session.noop();
      assert.equal(await messageCount(session, 'INBOX'), 0, 'the old session still works');

      // A broken file is refused and the current certificate kept.
      writeFileSync(live.cert, 'not a certificate');
      daemon.child.kill('SIGHUP');
      await daemon.waitForLog(/^TLS reload failed, keeping the previous certificate/);
      assert.equal(await fingerprint(daemon.ports.imaps), fpB);
      await session.logout();
    } finally {
      assert.deepEqual(await daemon.stop('SIGTERM'), { code: 0, signal: null });
    }
  } finally {
    cleanup();
  }
});
