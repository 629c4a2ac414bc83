import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMessage } from '../message/index.ts';
import { createMemoryBackend, type MemoryBackend } from '../store/memory/index.ts';
import type { Backend, Mailbox, User } from '../store/types.ts';
import { importMessages } from './import.ts';

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/import/sample.mboxrd', import.meta.url));
const cli = { protocol: 'cli', secure: false } as const;

async function contents(backend: MemoryBackend, mailbox = 'INBOX'): Promise<{ text: string; flags: readonly string[]; date: Date }[]> {
  const user = (await backend.openUser('alice', cli))!;
  const box = await user.openMailbox(mailbox, { readOnly: true, onChange: () => undefined });
  const out = [];
  for (const r of await box.fetch(box.snapshot.uids)) {
    const body = await box.body(r.uid);
    out.push({ text: (await body.read(0, body.size)).toString(), flags: r.flags, date: r.internalDate });
  }
  await box.close();
  await user.close();
  return out;
}

/** `target` with some members replaced; its own methods stay bound to it. */
function wrap<T extends object>(target: T, override: Partial<Record<keyof T, unknown>>): T {
  return new Proxy(target, {
    get: (t, key) => {
      if (Object.hasOwn(override, key)) return override[key as keyof T];
      const value: unknown = Reflect.get(t, key);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}

/** `inner` with every opened user wrapped: `override(user)` replaces some of its methods. */
function withUsers(inner: MemoryBackend, override: (user: User) => Partial<Record<keyof User, unknown>>): Backend {
  return {
    login: (u, p, i) => inner.login(u, p, i),
    openUser: async (name, info) => {
      const user = await inner.openUser(name, info);
      return user === null ? null : wrap<User>(user, override(user));
    },
  };
}

async function withTmp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'import-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

void describe('importMessages', () => {
  void test('mbox: messages, From_ dates, progress; a second run skips everything', async () => {
    const backend = createMemoryBackend({ users: { alice: 'pw' } });
    const progress: [number, number][] = [];
    let parses = 0;
    const parse = (raw: Buffer) => (parses++, parseMessage(raw));
    const first = await importMessages({ backend, username: 'alice', path: FIXTURE, parse, onProgress: (d, t) => progress.push([d, t]) });
    assert.deepEqual(first, { imported: 3, skipped: 0, failed: 0 });
    assert.equal(parses, 3, 'each message parsed once; the store reuses the record');
    assert.deepEqual(progress[0], [0, 3]);
    assert.deepEqual(progress.at(-1), [3, 3]);
    const stored = await contents(backend);
    assert.equal(stored.length, 3);
    assert.equal(stored[0].date.toISOString(), '2026-11-21T22:07:07.000Z');
    assert.ok(stored[0].text.includes('\r\nFrom the start, quoted once.\r\n'));
    const second = await importMessages({ backend, username: 'alice', path: FIXTURE });
    assert.deepEqual(second, { imported: 0, skipped: 3, failed: 0 });
    assert.equal((await contents(backend)).length, 3);
  });

  void test('into a named mailbox, created when missing', async () => {
    const backend = createMemoryBackend({ users: { alice: 'pw' } });
    assert.deepEqual(await importMessages({ backend, username: 'alice', path: FIXTURE, mailbox: 'Old/2023' }), { imported: 3, skipped: 0, failed: 0 });
    assert.equal((await contents(backend, 'Old/2023')).length, 3);
    assert.equal((await contents(backend)).length, 0);
  });

  void test('Maildir: flags from the info suffix, sub-folders, mtimes; idempotent', async () => {
    await withTmp(async (root) => {
      for (const dir of ['', '.Work', '.Work.Projects']) for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(root, dir, sub), { recursive: true });
      const msg = (id: string, lf = '\n') => `Message-ID: <${id}@x>${lf}Subject: ${id}${lf}${lf}body ${id}${lf}`;
      await writeFile(join(root, 'cur', '1600000001.M1.h:2,RS'), msg('a'));
      await writeFile(join(root, 'cur', '1600000002.M2.h:2,FTa'), msg('b', '\r\n'));
      await writeFile(join(root, 'dovecot-keywords'), '0 $Important\n');
      await writeFile(join(root, 'new', '1600000003.M3.h'), 'Subject: no id\n\nsame bytes\n');
      await writeFile(join(root, '.Work', 'cur', '1600000004.M4.h:2,D'), msg('c'));
      await writeFile(join(root, '.Work.Projects', 'new', '1600000005.M5.h'), msg('d'));
      await utimes(join(root, 'cur', '1600000001.M1.h:2,RS'), 1_400_000_000, 1_400_000_000);
      const backend = createMemoryBackend({ users: { alice: 'pw' } });
      assert.deepEqual(await importMessages({ backend, username: 'alice', path: root }), { imported: 5, skipped: 0, failed: 0 });
      const inbox = await contents(backend);
      assert.deepEqual(inbox.map((m) => [...m.flags].sort()), [['\\Answered', '\\Seen'], ['$Important', '\\Deleted', '\\Flagged'], []]);
      assert.equal(inbox[0].date.getTime(), 1_400_000_000_000);
      assert.equal(inbox[0].text, 'Message-ID: <a@x>\r\nSubject: a\r\n\r\nbody a\r\n');
      assert.deepEqual((await contents(backend, 'Work')).map((m) => m.flags), [['\\Draft']]);
      assert.equal((await contents(backend, 'Work/Projects')).length, 1);
      const user = (await backend.openUser('alice', cli))!;
      assert.deepEqual((await user.listSubscriptions()).sort(), ['Work', 'Work/Projects']);
      await user.close();
      assert.deepEqual(await importMessages({ backend, username: 'alice', path: root }), { imported: 0, skipped: 5, failed: 0 });
      // A new message in the Maildir is picked up by the next run; the others are still skipped.
      await writeFile(join(root, 'new', '1600000006.M6.h'), msg('e'));
      assert.deepEqual(await importMessages({ backend, username: 'alice', path: root }), { imported: 1, skipped: 5, failed: 0 });
    });
  });

  void test('folder of .eml files: internal date from the Date header; messages without Message-ID deduplicated by bytes', async () => {
    await withTmp(async (dir) => {
      await writeFile(join(dir, '1.eml'), 'Date: Tue, 1 Jul 2003 10:52:37 +0200 (CEST)\nSubject: one\n\nx\n');
      await writeFile(join(dir, '2.eml'), 'Subject: two\n\ny\n');
      await writeFile(join(dir, 'notes.txt'), 'ignored');
      await writeFile(join(dir, '3-empty.eml'), '');
      const backend = createMemoryBackend({ users: { alice: 'pw' } });
      assert.deepEqual(await importMessages({ backend, username: 'alice', path: dir }), { imported: 2, skipped: 0, failed: 1 });
      assert.equal((await contents(backend))[0].date.toISOString(), '2003-07-01T08:52:37.000Z');
      assert.deepEqual(await importMessages({ backend, username: 'alice', path: dir }), { imported: 0, skipped: 2, failed: 1 });
      // A single message file works too, and is recognized as already there.
      assert.deepEqual(await importMessages({ backend, username: 'alice', path: join(dir, '2.eml') }), { imported: 0, skipped: 1, failed: 0 });
    });
  });

  void test('a generated 1,000-message mbox imports in batches and re-imports as skipped', async () => {
    await withTmp(async (dir) => {
      const parts: string[] = [];
      for (let i = 0; i < 1000; i++) {
        parts.push(`From u@example.org Wed Mar  1 12:00:00 2023\nMessage-ID: <${i}@gen>\nSubject: ${i}\n\nbody ${i}\n\n`);
      }
      const path = join(dir, 'mail.mbox');
      await writeFile(path, parts.join(''));
      const backend = createMemoryBackend({ users: { alice: 'pw' } });
      let last: [number, number] = [0, 0];
      assert.deepEqual(await importMessages({ backend, username: 'alice', path, onProgress: (d, t) => (last = [d, t]) }), { imported: 1000, skipped: 0, failed: 0 });
      assert.deepEqual(last, [1000, 1000]);
      const stored = await contents(backend);
      assert.equal(stored.length, 1000);
      assert.ok(stored[999].text.startsWith('Message-ID: <999@gen>'));
      assert.deepEqual(await importMessages({ backend, username: 'alice', path }), { imported: 0, skipped: 1000, failed: 0 });
    });
  });

  void test('a store that returns no metadata: Message-IDs are read from the stored header', async () => {
    const inner = createMemoryBackend({ users: { alice: 'pw' } });
    const backend = withUsers(inner, (user) => ({
      openMailbox: async (box: string, options: Parameters<User['openMailbox']>[1]) => {
        const mailbox = await user.openMailbox(box, options);
        return wrap<Mailbox>(mailbox, {
          fetch: async (uids: readonly number[]) => (await mailbox.fetch(uids)).map((r) => ({ ...r, meta: undefined })),
        });
      },
    }));
    assert.deepEqual(await importMessages({ backend, username: 'alice', path: FIXTURE }), { imported: 3, skipped: 0, failed: 0 });
    assert.deepEqual(await importMessages({ backend, username: 'alice', path: FIXTURE }), { imported: 0, skipped: 3, failed: 0 });
  });

  void test('a message the store refuses fails alone; the rest of its batch is imported', async () => {
    await withTmp(async (dir) => {
      for (let i = 0; i < 5; i++) await writeFile(join(dir, `${i}.eml`), `Message-ID: <${i}@x>\nSubject: ${i === 2 ? 'POISON' : 'ok'}\n\nbody\n`);
      const inner = createMemoryBackend({ users: { alice: 'pw' } });
      const backend = withUsers(inner, (user) => ({
        append: (box: string, inputs: Parameters<User['append']>[1]) =>
          inputs.some((m) => m.content.includes('POISON')) ? Promise.reject(new Error('refused')) : user.append(box, inputs),
      }));
      const errors: string[] = [];
      const result = await importMessages({ backend, username: 'alice', path: dir, onError: (origin) => errors.push(origin) });
      assert.deepEqual(result, { imported: 4, skipped: 0, failed: 1 });
      assert.deepEqual(errors, [join(dir, '2.eml')]);
      assert.equal((await contents(inner)).length, 4);
    });
  });

  void test('mbox: flags from Status/X-Status headers', async () => {
    await withTmp(async (dir) => {
      const path = join(dir, 'flags.mbox');
      await writeFile(path, 'From a Sat Jan  1 00:00:00 2000\nMessage-ID: <f1@x>\nStatus: RO\nX-Status: F\n\nx\n\n' +
        'From a Sat Jan  1 00:00:01 2000\nMessage-ID: <f2@x>\nStatus: O\n\ny\n');
      const backend = createMemoryBackend({ users: { alice: 'pw' } });
      await importMessages({ backend, username: 'alice', path });
      assert.deepEqual((await contents(backend)).map((m) => [...m.flags].sort()), [['\\Flagged', '\\Seen'], []]);
    });
  });

  void test('unknown account and unknown source are errors', async () => {
    const backend = createMemoryBackend({ users: { alice: 'pw' } });
    await assert.rejects(importMessages({ backend, username: 'nobody', path: FIXTURE }), /no such account/);
    await withTmp(async (dir) => {
      await assert.rejects(importMessages({ backend, username: 'alice', path: dir }), /not an mbox file, a Maildir or a folder of \.eml files/);
    });
  });
});
