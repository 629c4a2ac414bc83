import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStoreError } from '../errors.ts';
import { denseSpan, pages, sortedUniqueUids, uidsToRemove } from './uid-lists.ts';

void test('sortedUniqueUids: distinct, ascending, only values that can be UIDs', () => {
  assert.deepEqual(sortedUniqueUids([5, 1, 5, 10, 2]), [1, 2, 5, 10]);
  assert.deepEqual(sortedUniqueUids([0, -1, 1.5, Number.NaN, Infinity, 3]), [3]);
  assert.deepEqual(sortedUniqueUids([]), []);
});

void test('uidsToRemove: distinct and ascending; a value that cannot be a UID is notFound', () => {
  assert.deepEqual(uidsToRemove([5, 1, 5, 0xffff_ffff]), [1, 5, 0xffff_ffff]);
  assert.deepEqual(uidsToRemove([]), []);
  for (const bad of [0, -1, 1.5, Number.NaN, Infinity, 2 ** 32]) {
    assert.throws(() => uidsToRemove([1, bad]), (err: unknown) => isStoreError(err, 'notFound'), String(bad));
  }
});

void test('pages cuts a list into pages of at most `size`, none empty', () => {
  assert.deepEqual(pages([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  assert.deepEqual(pages([1, 2], 2), [[1, 2]]);
  assert.deepEqual(pages([], 3), []);
});

void test('denseSpan: a range for contiguous or nearly contiguous pages, null for sparse or empty ones', () => {
  assert.deepEqual(denseSpan([3, 4, 5, 6]), { first: 3, last: 6, exact: true });
  assert.deepEqual(denseSpan([7]), { first: 7, last: 7, exact: true });
  assert.deepEqual(denseSpan([1, 2, 4, 5]), { first: 1, last: 5, exact: false });
  assert.equal(denseSpan([1, 100]), null);
  assert.equal(denseSpan([]), null);
});
