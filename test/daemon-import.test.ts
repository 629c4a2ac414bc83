/**
 * `mailroom import` end to end: an mbox of 1,000 messages and a Maildir with flags and a sub-folder,
 * imported with the CLI (progress on stderr, idempotent), then checked over IMAP against the daemon.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImapFlow } from 'imapflow';
import { runCli, startDaemon, tempDir, messageCount, imapClient } from './daemon-harness.ts';

const MBOX_MESSAGES = 1000;
const DAY_MS = 24 * 3600 * 1000;
const BASE_DATE = Date.UTC(2020, 0, 1, 12, 0, 0);

/** asctime() form used in From_ lines: "Wed Jan  1 12:00:00 2020". */
function asctime(date: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[date.getUTCDay()]} ${months[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2, ' ')} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} ${date.getUTCFullYear()}`;
}

function mbox(): string {
  const parts: string[] = [];
  for (let i = 0; i < MBOX_MESSAGES; i++) {
    const date = new Date(BASE_DATE + i * DAY_MS);
    parts.push(
      `From sender${i}@example.test ${asctime(date)}\n` +
        `From: Sender ${i} <sender${i}@example.test>\nTo: bob@example.test\nSubject: mbox message ${i}\n` +
        `Message-ID: <mbox.${i}@example.test>\nDate: ${date.toUTCString()}\n\n` +
        `Body of message ${i}.\n>From the quoted line of message ${i}.\n\n`,
    );
  }
  return parts.join('');
}

function eml(subject: string): string {
  return `From: a@example.test\nTo: carol@example.test\nSubject: ${subject}\nMessage-ID: <${subject.replace(/\W/g, '.')}@example.test>\n\nbody of ${subject}\n`;
}

/** A Maildir (Maildir++ layout) with flags in the info suffixes and an Archive sub-folder. */
function maildir(root: string): Record<string, string[]> {
  const expected: Record<string, string[]> = {
    'seen': ['\\Seen'],
    'answered and seen': ['\\Answered', '\\Seen'],
    'flagged': ['\\Flagged'],
    'draft': ['\\Draft'],
    'new mail': [],
  };
  for (const sub of ['cur', 'new', 'tmp', '.Archive/cur', '.Archive/new', '.Archive/tmp']) mkdirSync(join(root, sub), { recursive: true });
  writeFileSync(join(root, 'cur', '1600000001.M1P1.host:2,S'), eml('seen'));
  writeFileSync(join(root, 'cur', '1600000002.M2P1.host:2,RS'), eml('answered and seen'));
  writeFileSync(join(root, 'cur', '1600000003.M3P1.host:2,F'), eml('flagged'));
  writeFileSync(join(root, 'cur', '1600000004.M4P1.host:2,D'), eml('draft'));
  writeFileSync(join(root, 'new', '1600000005.M5P1.host'), eml('new mail'));
  writeFileSync(join(root, 'tmp', '1600000006.M6P1.host'), eml('in progress, not imported'));
  writeFileSync(join(root, '.Archive', 'cur', '1500000000.M7P1.host:2,S'), eml('archived'));
  return expected;
}

const client = (port: number, user: string): ImapFlow => imapClient(port, user, 'pw');

test('import an mbox of 1,000 messages and a Maildir with flags; re-import adds nothing', async () => {
  const { dir, cleanup } = tempDir('mailroom-import-');
  const data = ['--data', join(dir, 'data')];
  try {
    for (const name of ['bob', 'carol']) {
      const r = await runCli(['user', 'add', name, '--password-stdin', ...data], { input: 'pw\n' });
      assert.equal(r.code, 0, r.stderr);
    }
    writeFileSync(join(dir, 'archive.mbox'), mbox());
    const expectedFlags = maildir(join(dir, 'Maildir'));

    let r = await runCli(['import', 'bob', join(dir, 'archive.mbox'), ...data]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /100% 1000\/1000/, 'progress shown');
    assert.match(r.stderr, /1000 imported, 0 already present, 0 failed/);
    r = await runCli(['import', 'bob', join(dir, 'archive.mbox'), ...data]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /0 imported, 1000 already present, 0 failed/);

    r = await runCli(['import', 'carol', join(dir, 'Maildir'), ...data]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /6 imported/);
    r = await runCli(['import', 'nobody', join(dir, 'Maildir'), ...data]);
    assert.equal(r.code, 67, r.stderr);

    const daemon = await startDaemon(join(dir, 'data'), ['--imap', '127.0.0.1:0', '--no-demo']);
    try {
      const bob = client(daemon.ports.imap, 'bob');
      await bob.connect();
      let lock = await bob.getMailboxLock('INBOX');
      try {
        assert.equal(bob.mailbox && bob.mailbox.exists, MBOX_MESSAGES);
        const seen = new Set<number>();
        for await (const m of bob.fetch('1:*', { envelope: true, internalDate: true })) {
          const i = Number(/^mbox message (\d+)$/.exec(m.envelope?.subject ?? '')?.[1]);
          seen.add(i);
          const internal = m.internalDate instanceof Date ? m.internalDate : new Date(String(m.internalDate));
          assert.equal(internal.getTime(), BASE_DATE + i * DAY_MS, `internal date of message ${i} from its From_ line`);
        }
        assert.equal(seen.size, MBOX_MESSAGES);
        const last = await bob.fetchOne('*', { source: true });
        assert.ok(last && last.source);
        assert.match(last.source.toString(), /\r\nFrom the quoted line of message \d+\.\r\n/, 'mboxrd quoting undone, CRLF line endings');
      } finally {
        lock.release();
      }
      await bob.logout();

      const carol = client(daemon.ports.imap, 'carol');
      await carol.connect();
      lock = await carol.getMailboxLock('INBOX');
      try {
        const flags: Record<string, string[]> = {};
        for await (const m of carol.fetch('1:*', { envelope: true, flags: true })) {
          flags[m.envelope?.subject ?? ''] = [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort();
        }
        assert.deepEqual(flags, Object.fromEntries(Object.entries(expectedFlags).map(([k, v]) => [k, [...v].sort()])));
      } finally {
        lock.release();
      }
      assert.equal(await messageCount(carol, 'Archive'), 1);
      await carol.logout();
    } finally {
      await daemon.stop('SIGTERM');
    }
  } finally {
    cleanup();
  }
});
