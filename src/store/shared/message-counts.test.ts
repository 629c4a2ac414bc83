import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countMessages } from './message-counts.ts';

void test('countMessages counts messages, unseen, deleted and octets', () => {
  assert.deepEqual(countMessages([]), { messages: 0, unseen: 0, deleted: 0, size: 0 });
  assert.deepEqual(
    countMessages([
      { seen: 1, deleted: 0, size: 10 },
      { seen: 0, deleted: 1, size: 20 },
      { seen: 0, deleted: 0, size: 5 },
    ]),
    { messages: 3, unseen: 2, deleted: 1, size: 35 },
  );
});
