import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatOrderedUidSet,
  formatSequenceSet,
  formatUidSet,
  parseSequenceSet,
  selectFromSorted,
  sequenceSetHas,
  SequenceSetError,
} from './sequence-set.ts';

describe('sequence sets', () => {
  test('parses numbers, ranges, star and $', () => {
    assert.deepEqual(parseSequenceSet('1:3,5,7:*').ranges, [
      { start: 1, end: 3 },
      { start: 5, end: 5 },
      { start: 7, end: Infinity },
    ]);
    assert.deepEqual(parseSequenceSet('*'), { ranges: [{ start: Infinity, end: Infinity }] });
    assert.deepEqual(parseSequenceSet('$'), { ranges: [], saved: true });
  });

  test('refuses zero, empty parts, junk and overflow', () => {
    for (const bad of ['', '0', '1,', ',1', '1:', ':1', '1::2', 'a', '01', '4294967296', '1:0', '$,1']) {
      assert.throws(() => parseSequenceSet(bad), SequenceSetError, bad);
    }
    assert.deepEqual(parseSequenceSet('4294967295').ranges, [{ start: 4294967295, end: 4294967295 }]);
  });

  test('membership with * and reversed ranges', () => {
    const set = parseSequenceSet('5:2,9:*');
    assert.equal(sequenceSetHas(set, 3, 10), true);
    assert.equal(sequenceSetHas(set, 6, 10), false);
    assert.equal(sequenceSetHas(set, 10, 10), true);
    // "*:4" with 3 messages means 3:4.
    assert.equal(sequenceSetHas(parseSequenceSet('*:4'), 3, 3), true);
  });

  test('selectFromSorted resolves against existing values, de-duplicated and ascending', () => {
    const uids = [2, 4, 6, 8, 10];
    assert.deepEqual(selectFromSorted(parseSequenceSet('1:5,4:9'), uids), [2, 4, 6, 8]);
    assert.deepEqual(selectFromSorted(parseSequenceSet('*'), uids), [10]);
    assert.deepEqual(selectFromSorted(parseSequenceSet('20:*'), uids), [10]);
    assert.deepEqual(selectFromSorted(parseSequenceSet('11:15'), uids), []);
    assert.deepEqual(selectFromSorted(parseSequenceSet('*'), []), []);
  });

  test('formats compact sets', () => {
    assert.equal(formatUidSet([7, 1, 2, 3]), '1:3,7');
    assert.equal(formatUidSet([]), '');
    assert.equal(formatUidSet([5, 5, 6]), '5:6');
    assert.equal(formatOrderedUidSet([5, 6, 7, 2]), '5:7,2');
    assert.equal(formatSequenceSet(parseSequenceSet('1:3,7:*')), '1:3,7:*');
    assert.equal(formatSequenceSet(parseSequenceSet('$')), '$');
  });
});
