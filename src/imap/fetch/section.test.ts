import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../../message/parse.ts';
import type { SectionRef } from './plan.ts';
import {
  decodeTransferEncoding,
  filterHeaderFields,
  locateBinary,
  locateSection,
  partialWindow,
  UnknownCteError,
  type SectionSource,
} from './section.ts';

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'latin1');

const SIMPLE = crlf(['From: a@example.com', 'Subject: hi', '', 'Hello', 'world', '']);

const NESTED = crlf([
  'From: a@example.com',
  'Subject: nested',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary=OUTER',
  '',
  'preamble',
  '--OUTER',
  'Content-Type: text/plain',
  '',
  'part one',
  '--OUTER',
  'Content-Type: message/rfc822',
  '',
  'Subject: inner',
  'X-Inner: 1',
  '',
  'inner body',
  '--OUTER',
  'Content-Type: multipart/alternative; boundary=INNER',
  '',
  '--INNER',
  'Content-Type: text/plain',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'caf=E9',
  '--INNER',
  'Content-Type: application/octet-stream',
  'Content-Transfer-Encoding: base64',
  '',
  'AAECAw==',
  '--INNER--',
  '--OUTER',
  'Content-Type: application/x-odd',
  'Content-Transfer-Encoding: x-uuencode',
  '',
  'begin 644 x',
  '--OUTER--',
  '',
]);

function text(raw: Buffer, source: SectionSource): string {
  switch (source.kind) {
    case 'empty':
      return '';
    case 'range':
      return raw.toString('latin1', source.start, source.end);
    case 'headerFields':
      return filterHeaderFields(raw.subarray(source.start, source.end), source.fields, source.not).toString('latin1');
  }
}

function section(raw: Buffer, part: number[], t: SectionRef['text'] = null): string {
  const meta = parseMessage(raw);
  return text(raw, locateSection(meta, raw.length, { part, text: t }));
}

void describe('section location (RFC 3501 section 6.4.5)', () => {
  void test('whole message needs no metadata', () => {
    assert.deepEqual(locateSection(undefined, 42, { part: [], text: null }), { kind: 'range', start: 0, end: 42 });
    assert.throws(() => locateSection(undefined, 42, { part: [1], text: null }));
  });

  void test('a single-part message: HEADER, TEXT, part 1', () => {
    assert.equal(section(SIMPLE, [], { kind: 'header' }), 'From: a@example.com\r\nSubject: hi\r\n\r\n');
    assert.equal(section(SIMPLE, [], { kind: 'text' }), 'Hello\r\nworld\r\n');
    assert.equal(section(SIMPLE, [1]), 'Hello\r\nworld\r\n');
    assert.equal(section(SIMPLE, [2]), '');
    // A non-multipart part is its own part 1 (Dovecot answers BODY[1.1] like BODY[1]).
    assert.equal(section(SIMPLE, [1, 1]), 'Hello\r\nworld\r\n');
    assert.equal(section(SIMPLE, [1, 2]), '');
    // HEADER of a part that is not a message is empty (as Dovecot answers).
    assert.equal(section(SIMPLE, [1], { kind: 'header' }), '');
  });

  void test('multipart parts, MIME headers and nested parts', () => {
    assert.equal(section(NESTED, [1]), 'part one');
    assert.equal(section(NESTED, [1], { kind: 'mime' }), 'Content-Type: text/plain\r\n\r\n');
    assert.equal(section(NESTED, [3, 1]), 'caf=E9');
    assert.equal(section(NESTED, [3, 2], { kind: 'mime' }), 'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n');
    assert.equal(section(NESTED, [5]), '');
    assert.equal(section(NESTED, [3, 3]), '');
  });

  void test('message/rfc822 parts: the part, its HEADER/TEXT, and its sub-part 1', () => {
    assert.equal(section(NESTED, [2]), 'Subject: inner\r\nX-Inner: 1\r\n\r\ninner body');
    assert.equal(section(NESTED, [2], { kind: 'header' }), 'Subject: inner\r\nX-Inner: 1\r\n\r\n');
    assert.equal(section(NESTED, [2], { kind: 'text' }), 'inner body');
    assert.equal(section(NESTED, [2, 1]), 'inner body');
    assert.equal(section(NESTED, [2], { kind: 'headerFields', fields: ['x-inner'], not: false }), 'X-Inner: 1\r\n\r\n');
  });

  void test('HEADER.FIELDS and HEADER.FIELDS.NOT keep order and continuation lines', () => {
    const header = Buffer.from('Subject: a\r\n b\r\nFrom: x\r\nTo: y\r\nsubject: again\r\n\r\n');
    assert.equal(filterHeaderFields(header, ['SUBJECT'], false).toString(), 'Subject: a\r\n b\r\nsubject: again\r\n\r\n');
    assert.equal(filterHeaderFields(header, ['subject'], true).toString(), 'From: x\r\nTo: y\r\n\r\n');
    assert.equal(filterHeaderFields(header, ['nothing'], false).toString(), '\r\n');
  });
});

void describe('partial window', () => {
  void test('origin and count clip to the data', () => {
    assert.deepEqual(partialWindow(10, null), { start: 0, end: 10 });
    assert.deepEqual(partialWindow(10, { origin: 0, count: 5 }), { start: 0, end: 5 });
    assert.deepEqual(partialWindow(10, { origin: 8, count: 5 }), { start: 8, end: 10 });
    // An origin past the end gives an empty string.
    assert.deepEqual(partialWindow(10, { origin: 10, count: 5 }), { start: 10, end: 10 });
    assert.deepEqual(partialWindow(10, { origin: 1000, count: 5 }), { start: 10, end: 10 });
  });
});

void describe('BINARY', () => {
  void test('part location and decoding', () => {
    const meta = parseMessage(NESTED);
    const qp = locateBinary(meta, [3, 1]);
    assert.ok(qp);
    assert.equal(qp.encoding, 'quoted-printable');
    assert.deepEqual(decodeTransferEncoding(NESTED.subarray(qp.start, qp.end), qp.encoding), Buffer.from('caf\xe9', 'latin1'));
    const b64 = locateBinary(meta, [3, 2]);
    assert.ok(b64);
    assert.deepEqual(decodeTransferEncoding(NESTED.subarray(b64.start, b64.end), b64.encoding), Buffer.from([0, 1, 2, 3]));
    assert.equal(locateBinary(meta, [9]), null);
    assert.deepEqual(locateBinary(meta, []), { start: 0, end: NESTED.length, encoding: '7bit' });
  });

  void test('an unknown transfer encoding is UNKNOWN-CTE', () => {
    const meta = parseMessage(NESTED);
    const odd = locateBinary(meta, [4]);
    assert.ok(odd);
    assert.throws(() => decodeTransferEncoding(NESTED.subarray(odd.start, odd.end), odd.encoding), UnknownCteError);
  });
});
