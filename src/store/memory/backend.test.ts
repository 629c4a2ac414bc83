/** Memory-store specifics beyond the conformance suite: limits, validation, life cycle. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryBackend, MAX_KEYWORDS_PER_MAILBOX } from './index.ts';
import { isStoreError, type StoreErrorKind } from '../errors.ts';
import type { MailboxChange, User } from '../types.ts';
import { isMovable } from '../types.ts';
import { hashPassword } from '../../auth/password.ts';

const info = { protocol: 'cli', secure: true } as const;
const msg = (subject = 'x'): Buffer => Buffer.from(`Subject: ${subject}\r\nFrom: a@b.c\r\n\r\nbody\r\n`);

async function rejects(p: Promise<unknown>, kind: StoreErrorKind): Promise<void> {
  await assert.rejects(p, (err: unknown) => isStoreError(err, kind));
}

async function setup(): Promise<{ user: User; close: () => Promise<void> }> {
  const backend = createMemoryBackend({ users: { u: 'pw' } });
  const user = await backend.login('u', 'pw', info);
  return { user, close: () => backend.close() };
}

void describe('memory store specifics', () => {
  void test('flags: invalid keywords and unknown system flags are refused, \\Recent dropped', async () => {
    const { user, close } = await setup();
    await rejects(user.append('INBOX', [{ content: msg(), flags: ['bad keyword'] }]), 'invalid');
    await rejects(user.append('INBOX', [{ content: msg(), flags: ['\\Bogus'] }]), 'invalid');
    await rejects(user.append('INBOX', [{ content: msg(), flags: ['a]b'] }]), 'invalid');
    await rejects(user.append('INBOX', [{ content: Buffer.alloc(0) }]), 'invalid');
    assert.equal((await user.status('INBOX')).messages, 0);
    const { uids } = await user.append('INBOX', [{ content: msg(), flags: ['\\recent', '\\DRAFT', '$a'] }]);
    const box = await user.openMailbox('INBOX', { readOnly: false, onChange: () => {} });
    assert.deepEqual((await box.fetch(uids))[0].flags, ['\\Draft', '$a']);
    await close();
  });

  void test(`keyword cap: more than ${MAX_KEYWORDS_PER_MAILBOX} keywords is refused, all or nothing`, async () => {
    const { user, close } = await setup();
    const many = Array.from({ length: MAX_KEYWORDS_PER_MAILBOX }, (_, i) => `$k${i}`);
    const { uids } = await user.append('INBOX', [{ content: msg(), flags: many }]);
    const changes: MailboxChange[] = [];
    const box = await user.openMailbox('INBOX', { readOnly: false, onChange: (c) => changes.push(c) });
    assert.equal(box.snapshot.keywords.length, MAX_KEYWORDS_PER_MAILBOX);
    await rejects(box.storeFlags(uids, { op: 'add', flags: ['$oneTooMany', '\\Seen'] }), 'invalid');
    await rejects(user.append('INBOX', [{ content: msg() }, { content: msg(), flags: ['$oneTooMany'] }]), 'invalid');
    assert.deepEqual(changes, []);
    assert.equal((await user.status('INBOX')).messages, 1);
    assert.deepEqual((await box.fetch(uids))[0].flags.includes('\\Seen'), false);
    await close();
  });

  void test('a mailbox that is gone or closed refuses further calls with expired', async () => {
    const { user, close } = await setup();
    await user.createMailbox('Temp');
    const box = await user.openMailbox('Temp', { readOnly: false, onChange: () => {} });
    await user.deleteMailbox('Temp');
    await rejects(box.fetch([1]), 'expired');
    await rejects(box.search({ type: 'all' }), 'expired');
    const inbox = await user.openMailbox('INBOX', { readOnly: false, onChange: () => {} });
    await inbox.close();
    await rejects(inbox.fetch([1]), 'expired');
    await close();
  });

  void test('User.close closes every mailbox it opened', async () => {
    const { user, close } = await setup();
    const changes: MailboxChange[] = [];
    await user.openMailbox('INBOX', { readOnly: false, onChange: (c) => changes.push(c) });
    await user.close();
    const backendUser = user; // the account stays usable through new sessions
    assert.equal(backendUser.username, 'u');
    await user.append('INBOX', [{ content: msg() }]);
    assert.deepEqual(changes, []);
    await close();
  });

  void test('deleteAccount and close send gone to opened mailboxes; a closed backend is unavailable', async () => {
    const backend = createMemoryBackend({ users: { u: 'pw', v: 'pw' } });
    const u = await backend.login('u', 'pw', info);
    const v = await backend.login('v', 'pw', info);
    const seenU: string[] = [];
    const seenV: string[] = [];
    await u.openMailbox('INBOX', { readOnly: false, onChange: (c) => seenU.push(c.type) });
    await v.openMailbox('INBOX', { readOnly: false, onChange: (c) => seenV.push(c.type) });
    await backend.deleteAccount('u');
    assert.deepEqual(seenU, ['gone']);
    await rejects(u.status('INBOX'), 'notFound');
    await backend.close();
    assert.deepEqual(seenV, ['gone']);
    await rejects(backend.login('v', 'pw', info), 'unavailable');
  });

  void test('a throwing listener is reported through onListenerError', async () => {
    const errors: unknown[] = [];
    const backend = createMemoryBackend({ users: { u: 'pw' }, onListenerError: (e) => errors.push(e) });
    const user = await backend.login('u', 'pw', info);
    await user.openMailbox('INBOX', {
      readOnly: false,
      onChange: () => {
        throw new Error('bug');
      },
    });
    await user.append('INBOX', [{ content: msg() }]);
    assert.equal(errors.length, 1);
    await backend.close();
  });

  void test('names: trailing separator dropped, invalid names refused, no rename under itself', async () => {
    const { user, close } = await setup();
    assert.equal((await user.createMailbox('Trail/')).name, 'Trail');
    await rejects(user.createMailbox('a//b'), 'invalid');
    await rejects(user.createMailbox('star*'), 'invalid');
    await rejects(user.createMailbox(''), 'invalid');
    await rejects(user.renameMailbox('Trail', 'Trail/Sub'), 'invalid');
    await rejects(user.setSubscribed('bad%', true), 'invalid');
    await close();
  });

  void test('stored bytes cannot be changed through the input or output buffers', async () => {
    const { user, close } = await setup();
    const input = msg('original');
    const { uids } = await user.append('INBOX', [{ content: input }]);
    input.fill(0x41);
    const box = await user.openMailbox('INBOX', { readOnly: false, onChange: () => {} });
    const body = await box.body(uids[0]);
    const first = await body.read();
    first.fill(0x42);
    assert.ok((await body.read()).equals(msg('original')));
    await close();
  });

  void test('move to the same mailbox gives the messages new UIDs', async () => {
    const { user, close } = await setup();
    const { uids } = await user.append('INBOX', [{ content: msg() }]);
    const box = await user.openMailbox('INBOX', { readOnly: false, onChange: () => {} });
    assert.ok(isMovable(box));
    const result = await box.move(uids, 'inbox');
    assert.deepEqual([...result.sourceUids], uids);
    assert.ok(result.destinationUids[0] > uids[0]);
    assert.deepEqual(await box.search({ type: 'all' }), [...result.destinationUids]);
    await close();
  });

  void test('openUser resolves null for an unknown user and login does not reveal which names exist', async () => {
    const backend = createMemoryBackend({ users: { u: 'pw' } });
    assert.equal(await backend.openUser('nobody', info), null);
    await rejects(backend.login('nobody', 'pw', info), 'authFailed');
    await rejects(backend.login('u', 'PW', info), 'authFailed');
    await backend.close();
  });

  void test('hashed accounts: password checked with verifyPassword; unknown names still fail with authFailed', async () => {
    const backend = createMemoryBackend();
    await backend.createAccount('h', await hashPassword('secret', { ln: 4, r: 8, p: 1 }));
    const user = await backend.login('h', 'secret', info);
    assert.equal(user.username, 'h');
    await rejects(backend.login('h', 'Secret', info), 'authFailed');
    await rejects(backend.login('nobody', 'secret', info), 'authFailed');
    await rejects(backend.setPasswordHash('nobody', 'x'), 'notFound');
    await rejects(backend.createAccount('', 'x'), 'invalid');
    await rejects(backend.createAccount('has space', 'x'), 'invalid');
    await backend.close();
  });
});
