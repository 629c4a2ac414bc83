import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pages, sortedUniqueUids } from './uid-lists.ts';

void test('sortedUniqueUids: distinct, ascending, only values that can be UIDs', () => {
  assert.deepEqual(sortedUniqueUids([5, 1, 5, 10, 2]), [1, 2, 5, 10]);
  assert.deepEqual(sortedUniqueUids([0, -1, 1.5, Number.NaN, Infinity, 3]), [3]);
  assert.deepEqual(sortedUniqueUids([]), []);
});

void test('pages cuts a list into pages of at most `size`, none empty', () => {
  assert.deepEqual(pages([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  assert.deepEqual(pages([1, 2], 2), [[1, 2]]);
  assert.deepEqual(pages([], 3), []);
});
