import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../message/index.ts';
import type { MessageMeta } from '../message/types.ts';
import { StoreError } from '../store/errors.ts';
import type { Backend, User } from '../store/types.ts';
import { createMemoryBackend } from '../store/memory/index.ts';
import { deliver } from './deliver.ts';

/** A member of `target`, methods bound to it (a Proxy passes itself as `this` otherwise). */
function bindOwn(target: User, key: keyof User): unknown {
  const value: unknown = Reflect.get(target, key);
  return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
}

const message = Buffer.from('From: a@b.example\nTo: x@y.example\nSubject: test\nMessage-ID: <m1@b>\n\nHello\n');

async function readAll(backend: Backend, account: string, mailbox = 'INBOX'): Promise<{ bytes: Buffer; date: Date; meta?: MessageMeta }[]> {
  const user = (await backend.openUser!(account, { protocol: 'cli', secure: false }))!;
  const box = await user.openMailbox(mailbox, { readOnly: true, onChange: () => undefined });
  const records = await box.fetch(box.snapshot.uids, { meta: true });
  const out = [];
  for (const r of records) {
    const body = await box.body(r.uid);
    out.push({ bytes: await body.read(0, body.size), date: r.internalDate, ...(r.meta ? { meta: r.meta } : {}) });
  }
  await box.close();
  await user.close();
  return out;
}

function countingParser(): { parse: (raw: Buffer) => MessageMeta; calls: () => number } {
  let n = 0;
  return { parse: (raw) => (n++, parseMessage(raw)), calls: () => n };
}

void describe('deliver', () => {
  void test('one result per recipient, parsed once, Return-Path and Delivered-To per recipient, CRLF', async () => {
    const backend = createMemoryBackend({ users: { alice: 'pw', bob: 'pw', 'carol@c.example': 'pw' } });
    const spy = countingParser();
    const date = new Date('2024-03-01T10:00:00Z');
    const results = await deliver({
      backend, message, envelopeFrom: 'a@b.example', internalDate: date, parse: spy.parse,
      recipients: ['alice@y.example', 'nobody@y.example', '<bob+lists@y.example>', 'carol@c.example'],
    });
    assert.equal(spy.calls(), 1);
    assert.deepEqual(results.map((r) => [r.recipient, r.status, r.account]), [
      ['alice@y.example', 'delivered', 'alice'],
      ['nobody@y.example', 'unknownUser', undefined],
      ['<bob+lists@y.example>', 'delivered', 'bob'],
      ['carol@c.example', 'delivered', 'carol@c.example'],
    ]);
    assert.equal(results[0].uid, 1);
    assert.equal(results[0].mailbox, 'INBOX');
    const [bobMsg] = await readAll(backend, 'bob');
    const text = bobMsg.bytes.toString();
    assert.ok(text.startsWith('Return-Path: <a@b.example>\r\nDelivered-To: bob+lists@y.example\r\nFrom: a@b.example\r\n'), text);
    assert.ok(!/[^\r]\n/.test(text), 'only CRLF line endings');
    assert.equal(bobMsg.date.getTime(), date.getTime());
    // The stored record is the shifted one and matches the stored bytes.
    assert.deepEqual(bobMsg.meta, parseMessage(bobMsg.bytes));
    const [aliceMsg] = await readAll(backend, 'alice');
    assert.ok(aliceMsg.bytes.toString().includes('Delivered-To: alice@y.example\r\n'));
  });

  void test('a missing target mailbox falls back to INBOX; an existing one is used', async () => {
    const backend = createMemoryBackend({ users: { alice: 'pw' } });
    const user = (await backend.openUser('alice', { protocol: 'cli', secure: false }))!;
    await user.createMailbox('Lists');
    await user.close();
    const [missing] = await deliver({ backend, message, recipients: ['alice'], mailbox: 'Nope' });
    assert.equal(missing.status, 'delivered');
    assert.equal(missing.mailbox, 'INBOX');
    const [there] = await deliver({ backend, message, recipients: ['alice'], mailbox: 'Lists' });
    assert.equal(there.mailbox, 'Lists');
    assert.equal((await readAll(backend, 'alice', 'Lists')).length, 1);
    // No envelope sender: no Return-Path line.
    assert.ok((await readAll(backend, 'alice'))[0].bytes.toString().startsWith('Delivered-To: alice\r\nFrom:'));
  });

  void test('over the size limit every recipient gets tooBig and nothing is parsed', async () => {
    const backend = createMemoryBackend({ users: { alice: 'pw' } });
    const spy = countingParser();
    const results = await deliver({ backend, message, recipients: ['alice', 'bob'], maxMessageSize: 20, parse: spy.parse });
    assert.deepEqual(results.map((r) => r.status), ['tooBig', 'tooBig']);
    assert.equal(spy.calls(), 0);
    assert.equal((await readAll(backend, 'alice')).length, 0);
  });

  void test('a leading mbox From_ line is dropped (dovecot-lda behaviour)', async () => {
    const backend = createMemoryBackend({ users: { alice: 'pw' } });
    await deliver({ backend, message: Buffer.concat([Buffer.from('From a@b Sat Jan  1 00:00:00 2000\n'), message]), recipients: ['alice'], addDeliveredTo: false });
    assert.ok((await readAll(backend, 'alice'))[0].bytes.toString().startsWith('From: a@b.example\r\n'));
  });

  void test('createMissing creates unknown accounts (static-password mode)', async () => {
    const backend = createMemoryBackend();
    const results = await deliver({
      backend, message, recipients: ['new+x@z.example'],
      createMissing: async (name) => (await backend.createAccount(name, 'h'), true),
    });
    assert.equal(results[0].status, 'delivered');
    assert.equal(results[0].account, 'new');
    assert.equal((await readAll(backend, 'new')).length, 1);
  });

  void test('store refusals map to per-recipient statuses; unexpected errors are temporary', async () => {
    const inner = createMemoryBackend({ users: { q: 'pw', big: 'pw', busy: 'pw', boom: 'pw', ok: 'pw' } });
    const failures: Record<string, Error> = {
      q: new StoreError('overQuota', 'quota'),
      big: new StoreError('tooBig', 'big'),
      busy: new StoreError('unavailable', 'later'),
      boom: new Error('disk on fire'),
    };
    const backend: Backend = {
      login: (u, p, i) => inner.login(u, p, i),
      openUser: async (name, i) => {
        const user = await inner.openUser(name, i);
        if (user === null || failures[name] === undefined) return user;
        return new Proxy(user, {
          get: (target, key: keyof User) =>
            key === 'append'
              ? () => Promise.reject(failures[name])
              : bindOwn(target, key),
        });
      },
    };
    const results = await deliver({ backend, message, recipients: ['q', 'big', 'busy', 'boom', 'ok'] });
    assert.deepEqual(results.map((r) => r.status), ['overQuota', 'tooBig', 'temporary', 'temporary', 'delivered']);
    assert.equal(results[3].message.includes('fire'), false, 'internal errors are not shown');
    assert.equal((results[3].error as Error).message, 'disk on fire');
  });
});
