import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clampRange } from './byte-range.ts';

void test('clampRange cuts a request to the body; negative offsets are 0', () => {
  assert.deepEqual(clampRange(10), [0, 10]);
  assert.deepEqual(clampRange(10, 3), [3, 10]);
  assert.deepEqual(clampRange(10, -5, 4), [0, 4]);
  assert.deepEqual(clampRange(10, 8, 100), [8, 10]);
  assert.deepEqual(clampRange(10, 20, 30), [10, 10]);
  assert.deepEqual(clampRange(10, 6, 2), [6, 6]);
  assert.deepEqual(clampRange(10, -3, -1), [0, 0]);
  // Not rounded: slicing truncates, so a fractional range selects the same bytes as its integer part.
  const bytes = Buffer.from('0123456789');
  const [s, e] = clampRange(bytes.length, 1.5, 3.5);
  assert.equal(bytes.subarray(s, e).toString(), '12');
});
