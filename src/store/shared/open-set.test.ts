import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenSet } from './open-set.ts';

void test('OpenSet closes what is still open, in order, once', async () => {
  const set = new OpenSet<{ name: string; close(): Promise<void> }>();
  const closed: string[] = [];
  const item = (name: string) => {
    const it = {
      name,
      close: () => {
        closed.push(name);
        set.delete(it);
        return Promise.resolve();
      },
    };
    return set.add(it);
  };
  const a = item('a');
  item('b');
  item('c');
  await a.close();
  await set.closeAll();
  assert.deepEqual(closed, ['a', 'b', 'c']);
  await set.closeAll();
  assert.deepEqual(closed, ['a', 'b', 'c'], 'nothing is closed twice');
});
