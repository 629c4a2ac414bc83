import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMeta, parseMessage } from '../../message/index.ts';
import { decodeStoredMeta } from './stored-meta.ts';

void test('decodeStoredMeta reads a good record and answers null for one it cannot read', () => {
  const meta = parseMessage(Buffer.from('Subject: s\r\n\r\nbody\r\n'));
  assert.deepEqual(decodeStoredMeta(encodeMeta(meta)), meta);
  assert.equal(decodeStoredMeta(Buffer.from([0x4d, 0x52, 0x4d, 0xff])), null, 'another META_VERSION');
  assert.equal(decodeStoredMeta(Buffer.from('garbage')), null);
});
