import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMeta } from '../../message/index.ts';
import { isStoreError } from '../errors.ts';
import { prepareAppend } from './append-input.ts';

const content = Buffer.from('Subject: hi\r\n\r\nbody\r\n');

void test('prepareAppend parses once, validates flags and keeps the internal date in milliseconds', () => {
  const date = new Date(Date.UTC(2024, 1, 2));
  const p = prepareAppend({ content, flags: ['\\seen', '\\Recent', 'work'], internalDate: date }, 1000);
  assert.equal(p.content, content);
  assert.deepEqual(p.flags, ['\\Seen', 'work']);
  assert.equal(p.internalDate, date.getTime());
  assert.equal(p.meta.envelope.subject, 'hi');
  assert.deepEqual(decodeMeta(p.encoded), p.meta);
  const before = Date.now();
  assert.ok(prepareAppend({ content }, 1000).internalDate >= before, 'defaults to now');
});

void test('prepareAppend refuses too big messages, bad flags and bad dates', () => {
  assert.throws(() => prepareAppend({ content }, content.length - 1), (err: unknown) => isStoreError(err, 'tooBig'));
  assert.doesNotThrow(() => prepareAppend({ content }, content.length));
  assert.throws(() => prepareAppend({ content, flags: ['\\Bogus'] }, 1000), (err: unknown) => isStoreError(err, 'invalid'));
  assert.throws(() => prepareAppend({ content, internalDate: new Date(Number.NaN) }, 1000), (err: unknown) => isStoreError(err, 'invalid'));
  assert.throws(() => prepareAppend({ content: Buffer.alloc(0) }, 1000), (err: unknown) => isStoreError(err, 'invalid'));
  assert.doesNotThrow(() => prepareAppend({ content: Buffer.from('\r\n') }, 1000));
});
