import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStoreError } from '../errors.ts';
import type { SpecialUse } from '../types.ts';
import { checkedSpecialUse, joinSpecialUse, splitSpecialUse } from './special-use.ts';

void test('checkedSpecialUse de-duplicates and refuses attributes RFC 6154 does not define', () => {
  assert.deepEqual(checkedSpecialUse(['\\Sent', '\\Trash', '\\Sent']), ['\\Sent', '\\Trash']);
  assert.deepEqual(checkedSpecialUse(undefined), []);
  assert.throws(() => checkedSpecialUse(['\\Important' as SpecialUse]), (err: unknown) => isStoreError(err, 'invalid'));
});

void test('the stored form round-trips, the empty list included', () => {
  for (const uses of [[], ['\\Sent'], ['\\Drafts', '\\Junk']] as SpecialUse[][]) {
    assert.deepEqual(splitSpecialUse(joinSpecialUse(uses)), uses);
  }
});
