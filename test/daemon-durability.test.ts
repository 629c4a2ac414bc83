/**
 * Durability (DESIGN.md section 3): SIGKILL the daemon while LMTP deliveries and IMAP APPENDs are in
 * flight, restart it on the same data, and check that every acknowledged message is there and readable and
 * that SQLite's integrity check passes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import nodemailer from 'nodemailer';
import { DATABASE_FILE } from '../src/store/sqlite/index.ts';
import { runCli, sampleMessage, startDaemon, tempDir, imapClient } from './daemon-harness.ts';

/** Attempts per channel: 200 LMTP deliveries and 200 APPENDs. */
const PER_CHANNEL = 200;
/** Parallel LMTP connections and IMAP sessions, so that many writes are in flight at the kill. */
const LMTP_WORKERS = 6;
const IMAP_WORKERS = 4;
/** The kill comes once this many writes have been acknowledged (well before all 400 are done). */
const KILL_AFTER_ACKS = 120;

test('SIGKILL during 200 LMTP deliveries and 200 APPENDs loses no acknowledged message', async (t) => {
  const { dir, cleanup } = tempDir('mailroom-durability-');
  const data = join(dir, 'data');
  try {
    const add = await runCli(['user', 'add', 'alice', '--password-stdin', '--data', data], { input: 'pw\n' });
    assert.equal(add.code, 0, add.stderr);
    const daemon = await startDaemon(data, ['--imap', '127.0.0.1:0', '--lmtp', '127.0.0.1:0', '--no-demo']);

    const acked = new Set<string>();
    let killed = false;
    let killing: Promise<unknown> | null = null;
    const ack = (subject: string): void => {
      if (killed) return; // an answer that raced the kill is not counted either way
      acked.add(subject);
      if (acked.size >= KILL_AFTER_ACKS && !killing) {
        killed = true;
        killing = daemon.stop('SIGKILL');
      }
    };

    const lmtpQueue = Array.from({ length: PER_CHANNEL }, (_, i) => `lmtp ${i}`);
    const appendQueue = Array.from({ length: PER_CHANNEL }, (_, i) => `append ${i}`);

    const lmtpWorker = async (): Promise<void> => {
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: daemon.ports.lmtp, lmtp: true, secure: false, ignoreTLS: true });
      try {
        for (let subject = lmtpQueue.shift(); subject !== undefined && !killed; subject = lmtpQueue.shift()) {
          try {
            const info = await transport.sendMail({ envelope: { from: 'load@example.test', to: ['alice@example.test'] }, raw: sampleMessage(subject, `body of ${subject}`) });
            if (info.accepted.length === 1) ack(subject);
          } catch {
            return; // the daemon is gone
          }
        }
      } finally {
        transport.close();
      }
    };

    const imapWorker = async (): Promise<void> => {
      const client = imapClient(daemon.ports.imap, 'alice', 'pw');
      client.on('error', () => undefined);
      try {
        await client.connect();
      } catch {
        return;
      }
      for (let subject = appendQueue.shift(); subject !== undefined && !killed; subject = appendQueue.shift()) {
        try {
          // imapflow resolves once the tagged OK has arrived: that is the acknowledgement.
          const res = await client.append('INBOX', sampleMessage(subject, `body of ${subject}`));
          if (res) ack(subject);
        } catch {
          return;
        }
      }
      client.close();
    };

    await Promise.all([...Array.from({ length: LMTP_WORKERS }, lmtpWorker), ...Array.from({ length: IMAP_WORKERS }, imapWorker)]);
    assert.ok(killing, `the kill happened (${acked.size} acknowledged)`);
    const status = await daemon.exited;
    assert.equal(status.signal, 'SIGKILL');
    assert.ok(acked.size >= KILL_AFTER_ACKS);

    // Restart on the same data: every acknowledged message is there, once, and readable.
    const again = await startDaemon(data, ['--imap', '127.0.0.1:0', '--no-demo']);
    try {
      const client = imapClient(again.ports.imap, 'alice', 'pw');
      await client.connect();
      const lock = await client.getMailboxLock('INBOX');
      const found = new Map<string, number>();
      try {
        for await (const m of client.fetch('1:*', { envelope: true, source: true })) {
          const subject = m.envelope?.subject ?? '';
          found.set(subject, (found.get(subject) ?? 0) + 1);
          assert.match(m.source?.toString('utf8') ?? '', new RegExp(`\\r\\n\\r\\nbody of ${subject}\\r\\n$`), `message ${subject} is readable`);
        }
      } finally {
        lock.release();
      }
      await client.logout();
      t.diagnostic(`${acked.size} acknowledged before the kill, ${found.size} stored`);
      for (const subject of acked) assert.ok(found.has(subject), `acknowledged ${subject} survived`);
      for (const [subject, n] of found) assert.equal(n, 1, `${subject} stored once`);
    } finally {
      assert.deepEqual(await again.stop('SIGTERM'), { code: 0, signal: null });
    }

    const db = new Database(join(data, DATABASE_FILE), { readonly: true });
    try {
      assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
    } finally {
      db.close();
    }
  } finally {
    cleanup();
  }
});
