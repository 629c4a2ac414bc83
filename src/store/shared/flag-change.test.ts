import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planFlagChange } from './flag-change.ts';

void test('planFlagChange: UNCHANGEDSINCE refuses messages changed after it (RFC 7162 section 3.1.3)', () => {
  assert.equal(planFlagChange(['\\Seen'], 10, { op: 'add', flags: ['x'], unchangedSince: 9 }, ['x']), 'modified');
  assert.deepEqual(planFlagChange(['\\Seen'], 9, { op: 'add', flags: ['x'], unchangedSince: 9 }, ['x']), ['\\Seen', 'x']);
  assert.equal(planFlagChange([], 1, { op: 'add', flags: ['x'], unchangedSince: 0 }, ['x']), 'modified');
});

void test('planFlagChange: null when the flags would not change, else the new list', () => {
  assert.equal(planFlagChange(['\\Seen', 'a'], 3, { op: 'add', flags: ['A'] }, ['A']), null);
  assert.equal(planFlagChange(['a', '\\Seen'], 3, { op: 'set', flags: ['\\Seen', 'a'] }, ['\\Seen', 'a']), null);
  assert.equal(planFlagChange(['a'], 3, { op: 'remove', flags: ['b'] }, ['b']), null);
  assert.deepEqual(planFlagChange(['a', 'b'], 3, { op: 'remove', flags: ['B'] }, ['B']), ['a']);
  assert.deepEqual(planFlagChange(['a'], 3, { op: 'set', flags: [] }, []), []);
});
