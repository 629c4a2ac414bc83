import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStoreError } from '../errors.ts';
import { assertMailboxName, assertNotUnderItself, inSubtree, mailboxNameToCreate, planSubtreeRename, validMailboxName } from './mailbox-names.ts';

void test('validMailboxName canonicalizes INBOX and refuses names that cannot be mailboxes', () => {
  assert.equal(validMailboxName('inbox/Sub'), 'INBOX/Sub');
  assert.equal(validMailboxName('Archive/2024'), 'Archive/2024');
  for (const bad of ['', 'a//b', 'a/', 'a*', 'a%b', 'a\u0000']) {
    assert.throws(() => validMailboxName(bad), (err: unknown) => isStoreError(err, 'invalid'), JSON.stringify(bad));
  }
  assert.doesNotThrow(() => assertMailboxName('Sent'));
});

void test('mailboxNameToCreate drops one trailing separator (RFC 3501 section 6.3.3), then validates', () => {
  assert.equal(mailboxNameToCreate('a/'), 'a');
  assert.equal(mailboxNameToCreate('inbox/x/'), 'INBOX/x');
  assert.equal(mailboxNameToCreate('inbox/'), 'INBOX');
  assert.equal(mailboxNameToCreate('a'), 'a');
  for (const bad of ['/', 'a//', '', '/a']) {
    assert.throws(() => mailboxNameToCreate(bad), (err: unknown) => isStoreError(err, 'invalid'), JSON.stringify(bad));
  }
});

void test('inSubtree and assertNotUnderItself', () => {
  assert.ok(inSubtree('a', 'a'));
  assert.ok(inSubtree('a/b/c', 'a'));
  assert.ok(!inSubtree('ab', 'a'));
  assert.throws(() => assertNotUnderItself('a', 'a/b'), (err: unknown) => isStoreError(err, 'invalid'));
  assert.doesNotThrow(() => assertNotUnderItself('a', 'ab'));
});

void test('planSubtreeRename moves the mailbox and its inferiors, in input order, and nothing else', () => {
  const names = ['x', 'a', 'a/b', 'ab', 'a/b/c'];
  const moves = planSubtreeRename(names, (n) => n, 'a', 'z/a', () => false);
  assert.deepEqual(moves.map((m) => [m.item, m.to]), [['a', 'z/a'], ['a/b', 'z/a/b'], ['a/b/c', 'z/a/b/c']]);
});

void test('planSubtreeRename refuses a new name that exists or cannot be a mailbox', () => {
  assert.throws(
    () => planSubtreeRename(['a', 'a/b'], (n) => n, 'a', 'c', (n) => n === 'c/b'),
    (err: unknown) => isStoreError(err, 'exists') && /c\/b/.test(err.message),
  );
  const deep = Array.from({ length: 32 }, (_, i) => `l${i}`).join('/');
  assert.throws(() => planSubtreeRename(['a', 'a/b'], (n) => n, 'a', deep, () => false), (err: unknown) => isStoreError(err, 'invalid'));
});
