/** The PostgreSQL store's plumbing that needs no server: the per-key queue, schema names, error mapping. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isStoreError } from '../errors.ts';
import { KeyedQueue, checkSchemaName, isUniqueViolation, translatePgError } from './db.ts';

void describe('KeyedQueue', () => {
  void test('jobs of one key run one at a time, in call order, even when earlier ones fail', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = queue.run('alice', async () => {
      log.push('1 start');
      await gate;
      log.push('1 end');
      throw new Error('first fails');
    });
    const second = queue.run('alice', () => {
      log.push('2');
      return Promise.resolve(2);
    });
    // Another key does not wait for alice.
    assert.equal(await queue.run('bob', () => Promise.resolve('bob')), 'bob');
    assert.deepEqual(log, ['1 start']);
    release();
    await assert.rejects(first, /first fails/);
    assert.equal(await second, 2);
    assert.deepEqual(log, ['1 start', '1 end', '2']);
    await queue.idle();
  });
});

void describe('schema names and errors', () => {
  void test('schema names are plain lower-case identifiers short enough for the NOTIFY channel', () => {
    assert.equal(checkSchemaName('mailroom'), 'mailroom');
    assert.equal(checkSchemaName('a'.repeat(60)), 'a'.repeat(60));
    for (const bad of ['', 'Mail', '1abc', 'a;drop', 'a-b', 'a'.repeat(61), 'public"']) {
      assert.throws(() => checkSchemaName(bad), /invalid PostgreSQL schema name/, bad);
    }
  });

  void test('unique violations are recognized, also when wrapped', () => {
    const err = Object.assign(new Error('dup'), { code: '23505' });
    assert.equal(isUniqueViolation(err), true);
    assert.equal(isUniqueViolation(new Error('other')), false);
    const wrapped = translatePgError(Object.assign(new Error('terminated'), { code: '57P01' }));
    assert.ok(isStoreError(wrapped, 'unavailable'));
  });
});
