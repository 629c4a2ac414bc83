/* eslint-disable @typescript-eslint/require-await -- the interface is async (Promise-returning) even where this implementation needs no await */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { plainMechanism, loginMechanism, parsePlainMessage, defaultMechanisms, mechanismAllowedWithoutTls } from './index.ts';

const ctx = { secure: true };

void describe('PLAIN (RFC 4616)', () => {
  void test('initial response with empty authzid', async () => {
    const s = plainMechanism(ctx);
    const r = await s.step(Buffer.from('\0tim\0tanstaaftanstaaf'));
    assert.deepEqual(r, { type: 'success', identity: { kind: 'password', username: 'tim', password: 'tanstaaftanstaaf' } });
  });
  void test('authzid is kept', async () => {
    const r = parsePlainMessage(Buffer.from('Ursel\0Kurt\0xipj3plmq'));
    assert.deepEqual(r, { type: 'success', identity: { kind: 'password', username: 'Kurt', password: 'xipj3plmq', authzid: 'Ursel' } });
  });
  void test('no initial response: empty challenge, then the message', async () => {
    const s = plainMechanism(ctx);
    const c = await s.step(null);
    assert.equal(c.type, 'challenge');
    assert.equal(c.type === 'challenge' && c.data.length, 0);
    const r = await s.step(Buffer.from('\0bob\0pw'));
    assert.equal(r.type, 'success');
    assert.equal(r.type === 'success' && r.identity.username, 'bob');
  });
  void test('UTF-8 credentials', async () => {
    const r = parsePlainMessage(Buffer.from('\0jöhn\0pässwörd'));
    assert.equal(r.type === 'success' && r.identity.kind === 'password' && r.identity.password, 'pässwörd');
  });
  for (const [name, bytes] of [
    ['no NUL', Buffer.from('timpassword')],
    ['one NUL', Buffer.from('tim\0password')],
    ['three NULs', Buffer.from('\0tim\0pass\0word')],
    ['empty authcid', Buffer.from('\0\0password')],
    ['empty password', Buffer.from('\0tim\0')],
    ['invalid UTF-8', Buffer.from([0, 0x74, 0, 0xff, 0xfe])],
    ['field over 255 octets', Buffer.from('\0' + 'a'.repeat(256) + '\0pw')],
    ['empty message', Buffer.alloc(0)],
  ] as const) {
    void test(`malformed: ${name} -> failure`, async () => {
      const r = await plainMechanism(ctx).step(bytes);
      assert.equal(r.type, 'failure');
    });
  }
  void test('steps after the end fail', async () => {
    const s = plainMechanism(ctx);
    await s.step(Buffer.from('\0a\0b'));
    assert.equal((await s.step(Buffer.from('\0a\0b'))).type, 'failure');
  });
  void test('a second null response fails', async () => {
    const s = plainMechanism(ctx);
    await s.step(null);
    assert.equal((await s.step(null)).type, 'failure');
  });
});

void describe('LOGIN', () => {
  void test('Username: / Password: challenges', async () => {
    const s = loginMechanism(ctx);
    const c1 = await s.step(null);
    assert.deepEqual(c1, { type: 'challenge', data: Buffer.from('Username:') });
    const c2 = await s.step(Buffer.from('alice'));
    assert.deepEqual(c2, { type: 'challenge', data: Buffer.from('Password:') });
    const r = await s.step(Buffer.from('secret'));
    assert.deepEqual(r, { type: 'success', identity: { kind: 'password', username: 'alice', password: 'secret' } });
  });
  void test('initial response is the username', async () => {
    const s = loginMechanism(ctx);
    assert.deepEqual(await s.step(Buffer.from('alice')), { type: 'challenge', data: Buffer.from('Password:') });
    const r = await s.step(Buffer.from('pw'));
    assert.equal(r.type === 'success' && r.identity.username, 'alice');
  });
  void test('empty or malformed values fail', async () => {
    const s1 = loginMechanism(ctx);
    await s1.step(null);
    assert.equal((await s1.step(Buffer.alloc(0))).type, 'failure');
    const s2 = loginMechanism(ctx);
    await s2.step(Buffer.from('alice'));
    assert.equal((await s2.step(Buffer.from([0xff]))).type, 'failure');
    const s3 = loginMechanism(ctx);
    await s3.step(Buffer.from('alice'));
    assert.equal((await s3.step(null)).type, 'failure');
  });
  void test('steps after the end fail', async () => {
    const s = loginMechanism(ctx);
    await s.step(Buffer.from('a'));
    await s.step(Buffer.from('b'));
    assert.equal((await s.step(Buffer.from('c'))).type, 'failure');
  });
});

void describe('registry', () => {
  void test('defaults and TLS policy', () => {
    assert.deepEqual([...defaultMechanisms().keys()], ['PLAIN', 'LOGIN']);
    assert.equal(mechanismAllowedWithoutTls('plain'), false);
    assert.equal(mechanismAllowedWithoutTls('LOGIN'), false);
    assert.equal(mechanismAllowedWithoutTls('SCRAM-SHA-256'), true);
  });
});
