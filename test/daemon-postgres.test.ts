/**
 * `--store postgres://...`: the daemon and the CLI on one PostgreSQL database. Accounts added by the CLI,
 * deliveries by LMTP and by `mailroom deliver` (another process: the change reaches the daemon through
 * LISTEN/NOTIFY) seen by an IMAP session with INBOX selected, then a clean SIGTERM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { startTestPostgres, type TestPostgres } from '../src/store/postgres/test-server.ts';
import { runCli, sampleMessage, startDaemon, tempDir, imapClient } from './daemon-harness.ts';

/** Pause between NOOPs while waiting for a delivery (the wait is bounded by the test timeout). */
const POLL_MS = 100;

test('serve --store postgres://: CLI accounts, LMTP and deliver seen by IMAP', async (t) => {
  let pg: TestPostgres;
  try {
    pg = await startTestPostgres();
  } catch (err) {
    t.skip(`no PostgreSQL available: ${(err as Error).message}`);
    return;
  }
  const { dir, cleanup } = tempDir('mailroom-pg-');
  const store = ['--store', pg.connectionString];
  try {
    const add = await runCli(['user', 'add', 'alice', '--password-stdin', ...store, '--data', dir], { input: 'pw\n' });
    assert.equal(add.code, 0, add.stderr);
    const daemon = await startDaemon(dir, [...store, '--imap', '127.0.0.1:0', '--lmtp', '127.0.0.1:0', '--no-demo']);
    try {
      const client = imapClient(daemon.ports.imap, 'alice', 'pw');
      await client.connect();
      await client.mailboxOpen('INBOX');
      const waitFor = async (count: number): Promise<void> => {
        while (!(client.mailbox && client.mailbox.exists >= count)) {
          await client.noop();
          await new Promise((r) => setTimeout(r, POLL_MS));
        }
      };
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: daemon.ports.lmtp, lmtp: true, secure: false, ignoreTLS: true });
      const sent = await transport.sendMail({ envelope: { from: 'a@example.test', to: ['alice@example.test'] }, raw: sampleMessage('pg lmtp') });
      transport.close();
      assert.deepEqual(sent.accepted, ['alice@example.test']);
      await waitFor(1);
      const cli = await runCli(['deliver', 'alice', ...store, '--data', dir], { input: sampleMessage('pg deliver') });
      assert.equal(cli.code, 0, cli.stderr);
      await waitFor(2);
      const subjects: string[] = [];
      for await (const m of client.fetch('1:*', { envelope: true })) subjects.push(m.envelope?.subject ?? '');
      assert.deepEqual(subjects, ['pg lmtp', 'pg deliver']);
      await client.logout();
    } finally {
      assert.deepEqual(await daemon.stop('SIGTERM'), { code: 0, signal: null });
    }
  } finally {
    cleanup();
    await pg.stop();
  }
});
