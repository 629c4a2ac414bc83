import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHeaderFields } from '../message/index.ts';
import { mboxHeaderFlags } from './mbox-flags.ts';

const flags = (header: string): string[] => mboxHeaderFlags(parseHeaderFields(Buffer.from(`${header}\r\n\r\n`))).sort();

void test('Status and X-Status letters (mutt, Dovecot mbox)', () => {
  assert.deepEqual(flags('Subject: x\r\nStatus: RO\r\nX-Status: AF'), ['\\Answered', '\\Flagged', '\\Seen']);
  assert.deepEqual(flags('Status: O\r\nX-Status: DT'), ['\\Deleted', '\\Draft']);
  assert.deepEqual(flags('Subject: none'), []);
});

void test('X-Mozilla-Status bits (Thunderbird)', () => {
  assert.deepEqual(flags('X-Mozilla-Status: 0001'), ['\\Seen']);
  assert.deepEqual(flags('X-Mozilla-Status: 000f'), ['\\Answered', '\\Deleted', '\\Flagged', '\\Seen']);
  assert.deepEqual(flags('X-Mozilla-Status: zz'), []);
});
