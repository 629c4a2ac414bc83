import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newObjectId, ownThreadId } from './object-ids.ts';

void test('object ids are RFC 8474 objectids with their prefix, and do not repeat', () => {
  const ids = new Set(Array.from({ length: 1000 }, () => newObjectId('M')));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.match(id, /^M[0-9a-f]{24}$/);
  assert.equal(ownThreadId('Mabc123'), 'Tabc123');
});
