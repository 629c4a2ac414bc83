/**
 * MOVE (RFC 6851) against a real listening server (memory store, 127.0.0.1:0): the response order
 * (COPYUID, EXPUNGEs, tagged OK), what another session sees, TRYCREATE, read-only refusal, imapflow's
 * messageMove, IMAP4rev2 (MOVE and COPYUID are part of it), and the start-up check that the store
 * declares atomic move. No timing assertions.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapServer } from '../src/imap/server.ts';
import { defaultExtensions } from '../src/imap/extensions/index.ts';
import { imap4rev2Extension } from '../src/imap/extensions/imap4rev2.ts';
import { moveExtension } from '../src/imap/extensions/move.ts';
import { createMemoryBackend } from '../src/store/memory/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../src/auth/password.ts';
import { createSqliteBackend } from '../src/store/sqlite/index.ts';
import { isMovable, type Backend } from '../src/store/types.ts';
import { imapflow, RawClient, startServer } from './transcripts/harness.ts';

const message = (subject: string): string => `Subject: ${subject}\r\nFrom: a@example.org\r\n\r\nHello\r\n`;

async function append(c: RawClient, tag: string, mailbox: string, content: string, flags = ''): Promise<void> {
  assert.match((await c.append(tag, mailbox, content, flags)).at(-1) ?? '', new RegExp(`^${tag} OK`));
}

describe('MOVE (RFC 6851)', () => {
  test('COPYUID first, then the EXPUNGEs, then a tagged OK without COPYUID; the other session follows', async () => {
    const srv = await startServer();
    const c = await RawClient.connect(srv.port);
    const other = await RawClient.connect(srv.port);
    try {
      await c.login();
      await other.login();
      await c.command('cr', 'CREATE Dest');
      for (let i = 1; i <= 4; i++) await append(c, `a${i}`, 'INBOX', message(`m${i}`), i === 3 ? ' (\\Flagged $Work)' : '');
      await c.command('sel', 'SELECT INBOX');
      await other.command('sel', 'SELECT INBOX');
      const r = await c.command('mv', 'MOVE 2:3 Dest');
      assert.equal(r.length, 4, r.join('\n'));
      assert.match(r[0], /^\* OK \[COPYUID \d+ 2:3 1:2\] /);
      assert.deepEqual(r.slice(1), ['* 2 EXPUNGE', '* 2 EXPUNGE', 'mv OK Move completed.']);
      const u = await c.command('um', 'UID MOVE 1,4 Dest');
      assert.match(u[0], /^\* OK \[COPYUID \d+ 1,4 3:4\] /);
      assert.deepEqual(u.slice(1), ['* 1 EXPUNGE', '* 1 EXPUNGE', 'um OK Move completed.']);
      assert.deepEqual(await c.command('n', 'NOOP'), ['n OK NOOP completed.']);
      const seen = await other.command('o', 'NOOP');
      assert.equal(seen.filter((l) => /^\* \d EXPUNGE$/.test(l)).length, 4, seen.join('\n'));
      // The moved messages keep their flags and keywords in the destination.
      await c.command('sel2', 'SELECT Dest');
      assert.deepEqual(await c.command('f', 'UID FETCH 2 FLAGS'), ['* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent $Work))', 'f OK Fetch completed.']);
    } finally {
      c.end();
      other.end();
      await srv.close();
    }
  });

  test('TRYCREATE, nothing to move, BAD sequence numbers, read-only source', async () => {
    const srv = await startServer();
    const c = await RawClient.connect(srv.port);
    try {
      await c.login();
      await append(c, 'a1', 'INBOX', message('m1'));
      await c.command('sel', 'SELECT INBOX');
      assert.deepEqual(await c.command('t', 'MOVE 1 Nowhere'), ["t NO [TRYCREATE] Mailbox doesn't exist: Nowhere"]);
      assert.deepEqual(await c.command('e', 'UID MOVE 7:9 INBOX'), ['e OK No messages found.']);
      assert.match((await c.command('b', 'MOVE 2 INBOX'))[0], /^b BAD/);
      await c.command('cr', 'CREATE Dest');
      await c.command('ex', 'EXAMINE INBOX');
      assert.match((await c.command('ro', 'MOVE 1 Dest'))[0], /^ro NO \[READ-ONLY\]/);
      assert.deepEqual((await c.command('st', 'STATUS Dest (MESSAGES)'))[0], '* STATUS "Dest" (MESSAGES 0)');
    } finally {
      c.end();
      await srv.close();
    }
  });

  test('imapflow messageMove returns the UID map', async () => {
    const srv = await startServer();
    const client = imapflow(srv.port, { disableAutoIdle: true });
    try {
      await client.connect();
      assert.ok(client.capabilities.has('MOVE'));
      for (let i = 1; i <= 3; i++) await client.append('INBOX', message(`m${i}`));
      await client.mailboxCreate('Archive');
      const lock = await client.getMailboxLock('INBOX');
      try {
        const moved = await client.messageMove('1,3', 'Archive', { uid: true });
        assert.ok(moved !== false);
        assert.deepEqual([...(moved.uidMap ?? new Map())], [[1, 1], [3, 2]]);
        assert.equal(client.mailbox === false ? -1 : client.mailbox.exists, 1);
      } finally {
        lock.release();
      }
      const status = await client.status('Archive', { messages: true });
      assert.ok(status !== false);
      assert.equal(status.messages, 2);
    } finally {
      await client.logout().catch(() => {});
      await srv.close();
    }
  });

  test('IMAP4rev2: MOVE answers COPYUID even when UIDPLUS is not advertised', async () => {
    const backend = createMemoryBackend({ users: { alice: 'password' } });
    const enable = defaultExtensions({ backend }).filter((e) => e.name === 'ENABLE');
    const server = new ImapServer({ backend, authFailureDelay: 0, extensions: [...enable, imap4rev2Extension, moveExtension] });
    const { port } = await server.listen(0, '127.0.0.1');
    const c = await RawClient.connect(port);
    try {
      await c.login();
      assert.doesNotMatch((await c.command('cap', 'CAPABILITY'))[0], / UIDPLUS/);
      await c.command('en', 'ENABLE IMAP4rev2');
      await c.command('cr', 'CREATE Dest');
      await append(c, 'a1', 'INBOX', message('m1'));
      await c.command('sel', 'SELECT INBOX');
      const r = await c.command('mv', 'MOVE 1 Dest');
      assert.match(r[0], /^\* OK \[COPYUID \d+ 1 1\] /);
      assert.deepEqual(r.slice(1), ['* 1 EXPUNGE', 'mv OK Move completed.']);
    } finally {
      c.end();
      await server.close();
      await backend.close();
    }
  });

  test('a store that does not declare atomic move fails at start-up, not at a client', () => {
    const inner = createMemoryBackend({ users: { alice: 'password' } });
    const plain: Backend = { login: (u, p, i) => inner.login(u, p, i) };
    assert.throws(() => new ImapServer({ backend: plain, extensions: [moveExtension] }), /MOVE/);
    assert.doesNotThrow(() => new ImapServer({ backend: inner, extensions: [moveExtension] }));
    // The default set leaves MOVE out over such a store instead of failing.
    assert.ok(!new ImapServer({ backend: plain }).enabledExtensions().some((e) => e.name === 'MOVE'));
    assert.ok(new ImapServer({ backend: inner }).enabledExtensions().some((e) => e.name === 'MOVE'));
  });

  test('every store declares atomic move and opens MovableMailboxes', async () => {
    const memory = createMemoryBackend({ users: { alice: 'password' } });
    const dir = mkdtempSync(join(tmpdir(), 'mailroom-move-'));
    const sqlite = createSqliteBackend({ path: dir });
    try {
      await sqlite.createAccount('alice', await hashPassword('password'));
      for (const backend of [memory, sqlite]) {
        assert.equal(backend.features?.move, true);
        const user = await backend.login('alice', 'password', { protocol: 'imap', secure: true });
        const mailbox = await user.openMailbox('INBOX', { readOnly: false, onChange: () => {} });
        assert.ok(isMovable(mailbox));
        await mailbox.close();
        await user.close();
      }
    } finally {
      await memory.close();
      await sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
