import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle } from './settle.ts';

void test('settle turns a result into a resolution and any throw into a rejection with an Error', async () => {
  assert.equal(await settle(() => 42), 42);
  const thrown = new Error('boom');
  let p: Promise<unknown> | undefined;
  assert.doesNotThrow(() => {
    p = settle(() => {
      throw thrown;
    });
  });
  await assert.rejects(p!, (err: unknown) => err === thrown);
  await assert.rejects(
    settle(() => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw 'text';
    }),
    (err: unknown) => err instanceof Error && err.message === 'text',
  );
});
