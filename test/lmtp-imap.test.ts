/**
 * Delivery and import seen by a real IMAP client: an LmtpServer and an ImapServer over one memory store on
 * 127.0.0.1:0; imapflow with INBOX selected receives the LMTP delivery; imported mbox and Maildir messages
 * show their flags, internal dates and folders over IMAP.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { ImapServer } from '../src/imap/server.ts';
import { LmtpServer } from '../src/lmtp/index.ts';
import { importMessages } from '../src/delivery/import.ts';
import { createMemoryBackend, type MemoryBackend } from '../src/store/memory/index.ts';

/** Stored flags, sorted: \\Recent is IMAP session state, not something the import set. */
const stored = (flags: Set<string> | undefined): string[] => [...(flags ?? [])].filter((f) => f !== '\\Recent').sort();

void describe('LMTP and import seen over IMAP', () => {
  let backend: MemoryBackend;
  let imap: ImapServer;
  let lmtp: LmtpServer;
  let imapPort: number;
  let lmtpPort: number;
  let dir: string;

  before(async () => {
    backend = createMemoryBackend({ users: { alice: 'secret', bob: 'secret' } });
    imap = new ImapServer({ backend });
    lmtp = new LmtpServer({ backend });
    imapPort = (await imap.listen(0, '127.0.0.1')).port;
    lmtpPort = (await lmtp.listen(0, '127.0.0.1')).port;
    dir = await mkdtemp(join(tmpdir(), 'lmtp-imap-'));
  });

  after(async () => {
    await lmtp.close();
    await imap.close();
    await backend.close();
    await rm(dir, { recursive: true, force: true });
  });

  const client = (user: string): ImapFlow =>
    new ImapFlow({ host: '127.0.0.1', port: imapPort, secure: false, auth: { user, pass: 'secret' }, logger: false, disableAutoIdle: true });

  void test('an IMAP session with INBOX selected sees the LMTP delivery arrive (EXISTS)', async () => {
    const imapClient = client('alice');
    await imapClient.connect();
    try {
      await imapClient.mailboxOpen('INBOX');
      const arrived = new Promise<number>((resolve) => imapClient.on('exists', (data: { count: number }) => resolve(data.count)));
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: lmtpPort, lmtp: true, ignoreTLS: true });
      try {
        const info = await transport.sendMail({
          envelope: { from: 'sender@example.org', to: ['alice+inbox@example.org'] },
          raw: 'From: sender@example.org\r\nSubject: via LMTP\r\nMessage-ID: <via-lmtp@example.org>\r\n\r\nHello\r\n',
        });
        assert.deepEqual(info.accepted, ['alice+inbox@example.org']);
      } finally {
        transport.close();
      }
      // NOOP, not IDLE: the session reports the new message at the end of any command (RFC 3501 section 6.1.2),
      // which keeps this test independent of the IDLE extension.
      await imapClient.noop();
      assert.equal(await arrived, 1);
      const message = await imapClient.fetchOne('1', { envelope: true, headers: ['return-path', 'delivered-to'] });
      assert.ok(message);
      assert.equal(message.envelope?.subject, 'via LMTP');
      assert.equal(message.headers?.toString(), 'Return-Path: <sender@example.org>\r\nDelivered-To: alice+inbox@example.org\r\n\r\n');
    } finally {
      await imapClient.logout();
    }
  });

  void test('an imported mbox and Maildir show flags, dates and folders over IMAP', async () => {
    const mbox = join(dir, 'old.mbox');
    await writeFile(mbox, 'From a@b Mon Jan  2 03:04:05 2023\nMessage-ID: <m1@x>\nSubject: from mbox\nStatus: RO\n\n>From quoted\n\n');
    const maildir = join(dir, 'Maildir');
    for (const sub of ['', '.Archive.2023']) for (const d of ['cur', 'new', 'tmp']) await mkdir(join(maildir, sub, d), { recursive: true });
    const flagged = join(maildir, 'cur', '1600000000.M1.h:2,FS');
    await writeFile(flagged, 'Message-ID: <d1@x>\nSubject: from maildir\n\nbody\n');
    await utimes(flagged, 1_600_000_000, 1_600_000_000);
    await writeFile(join(maildir, '.Archive.2023', 'cur', '1600000001.M2.h:2,RS'), 'Message-ID: <d2@x>\nSubject: archived\n\nold\n');
    assert.deepEqual(await importMessages({ backend, username: 'bob', path: mbox }), { imported: 1, skipped: 0, failed: 0 });
    assert.deepEqual(await importMessages({ backend, username: 'bob', path: maildir }), { imported: 2, skipped: 0, failed: 0 });
    assert.deepEqual(await importMessages({ backend, username: 'bob', path: maildir }), { imported: 0, skipped: 2, failed: 0 });

    const imapClient = client('bob');
    await imapClient.connect();
    try {
      const lock = await imapClient.getMailboxLock('INBOX');
      try {
        const messages = [];
        for await (const m of imapClient.fetch('1:*', { envelope: true, flags: true, internalDate: true, source: true })) messages.push(m);
        assert.deepEqual(messages.map((m) => m.envelope?.subject), ['from mbox', 'from maildir']);
        assert.deepEqual(stored(messages[0].flags), ['\\Seen']);
        assert.equal(new Date(messages[0].internalDate ?? 0).toISOString(), '2023-01-02T03:04:05.000Z');
        assert.ok(messages[0].source?.toString().endsWith('\r\n\r\nFrom quoted\r\n'));
        assert.deepEqual(stored(messages[1].flags), ['\\Flagged', '\\Seen']);
        assert.equal(new Date(messages[1].internalDate ?? 0).getTime(), 1_600_000_000_000);
      } finally {
        lock.release();
      }
      const status = await imapClient.status('Archive/2023', { messages: true });
      assert.equal(status !== false && status.messages, 1);
    } finally {
      await imapClient.logout();
    }
  });
});
