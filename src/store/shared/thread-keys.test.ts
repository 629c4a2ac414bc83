import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../../message/index.ts';
import { MAX_THREAD_REFERENCES, threadKeys, threadLookupKeys } from './thread-keys.ts';

const meta = (headers: string) => parseMessage(Buffer.from(`${headers}Subject: t\r\n\r\nbody\r\n`));

void test('threadKeys: own Message-ID; In-Reply-To first, then References nearest first, without repeats', () => {
  const m = meta('Message-ID: <own@x>\r\nIn-Reply-To: <p@x>\r\nReferences: <a@x> <b@x> <p@x> <own@x>\r\n');
  assert.deepEqual(threadKeys(m), { own: '<own@x>', refs: ['<p@x>', '<b@x>', '<a@x>'] });
  assert.deepEqual(threadLookupKeys(m), ['<own@x>', '<p@x>', '<b@x>', '<a@x>']);
});

void test('threadKeys: no ids, no keys; a hostile References list is cut at MAX_THREAD_REFERENCES', () => {
  assert.deepEqual(threadLookupKeys(meta('')), []);
  const refs = Array.from({ length: 100 }, (_, i) => `<r${i}@x>`).join(' ');
  const keys = threadKeys(meta(`References: ${refs}\r\n`));
  assert.equal(keys.own, null);
  assert.equal(keys.refs.length, MAX_THREAD_REFERENCES);
  assert.equal(keys.refs[0], '<r99@x>');
});
