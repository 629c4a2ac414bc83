import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStoreError } from '../errors.ts';
import { addedKeywords, applyFlagOp, flagBits, keywordsOf, sameFlags, storableFlags } from './flags.ts';
import { MAX_KEYWORD_LENGTH, MAX_KEYWORDS_PER_MAILBOX } from './limits.ts';

const invalid = (err: unknown): boolean => isStoreError(err, 'invalid');

void test('storableFlags canonicalizes system flags, drops \\Recent and duplicates, keeps keywords as given', () => {
  assert.deepEqual(storableFlags(['\\seen', 'Work', '\\SEEN', '\\Recent', 'work', '$Label1']), ['\\Seen', 'Work', '$Label1']);
  assert.deepEqual(storableFlags([]), []);
});

void test('storableFlags refuses unknown system flags and keywords that are not atoms or too long', () => {
  assert.throws(() => storableFlags(['\\Important']), invalid);
  for (const bad of ['', 'a b', 'a(b', 'a]b', 'a%', 'a*', 'a"b', 'a\\b', 'a\u0001', 'x'.repeat(MAX_KEYWORD_LENGTH + 1)]) {
    assert.throws(() => storableFlags([bad]), invalid, JSON.stringify(bad));
  }
  assert.deepEqual(storableFlags(['x'.repeat(MAX_KEYWORD_LENGTH)]), ['x'.repeat(MAX_KEYWORD_LENGTH)]);
});

void test('applyFlagOp: set replaces, add merges without case duplicates, remove ignores case', () => {
  assert.deepEqual(applyFlagOp(['\\Seen', 'a'], 'set', ['b']), ['b']);
  assert.deepEqual(applyFlagOp(['\\Seen', 'a'], 'add', ['A', '\\Flagged']), ['\\Seen', 'a', '\\Flagged']);
  assert.deepEqual(applyFlagOp(['\\Seen', 'a', 'b'], 'remove', ['A', '\\seen']), ['b']);
});

void test('sameFlags ignores order and case, not multiplicity of distinct flags', () => {
  assert.ok(sameFlags(['a', '\\Seen'], ['\\Seen', 'A']));
  assert.ok(!sameFlags(['a'], ['a', 'b']));
  assert.ok(!sameFlags(['a', 'b'], ['a', 'c']));
});

void test('keywordsOf and flagBits', () => {
  assert.deepEqual(keywordsOf(['\\Seen', 'a', '\\Deleted', 'b']), ['a', 'b']);
  assert.deepEqual(flagBits(['\\Seen', 'x']), { seen: 1, deleted: 0 });
  assert.deepEqual(flagBits(['\\Deleted']), { seen: 0, deleted: 1 });
});

void test('addedKeywords: new keywords in first-seen order, compared without case', () => {
  assert.deepEqual(addedKeywords(['Work'], [['\\Seen', 'work', 'Home'], ['home', 'x'], []]), ['Home', 'x']);
  assert.deepEqual(addedKeywords([], [['\\Seen']]), []);
});

void test('addedKeywords refuses to pass the per-mailbox cap, and only when something would be added', () => {
  const full = Array.from({ length: MAX_KEYWORDS_PER_MAILBOX }, (_, i) => `k${i}`);
  assert.deepEqual(addedKeywords(full, [['k0', 'K1']]), []);
  assert.throws(() => addedKeywords(full, [['new']]), invalid);
  assert.deepEqual(addedKeywords(full.slice(1), [['new']]), ['new']);
});
