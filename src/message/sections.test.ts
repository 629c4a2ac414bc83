import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage, planSection, planBinary, filterHeaderFields, decodeTransfer, binarySizeHint } from './index.ts';
import type { SectionPlan, SectionSpec } from './index.ts';

const crlf = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'latin1');

const RAW = crlf(`From: a@example.com
Subject: sections
Content-Type: multipart/mixed; boundary=X

--X
Content-Type: text/plain

one
--X
Content-Type: message/rfc822

Subject: inner
From: b@example.com
content-type: multipart/alternative; boundary=Y

--Y

inner one
--Y
Content-Type: text/html
Content-Transfer-Encoding: quoted-printable

<b>caf=C3=A9</b>
--Y--
--X
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

aGVsbG8gd29ybGQ=
--X
Content-Type: application/x-thing
Content-Transfer-Encoding: x-custom

???
--X--
`);
const meta = parseMessage(RAW);

function get(spec: SectionSpec): string {
  const plan: SectionPlan = planSection(meta, spec);
  if (plan.kind === 'empty') return '<empty>';
  if (plan.kind === 'range') return RAW.toString('latin1', plan.start, plan.end);
  return filterHeaderFields(RAW.subarray(plan.start, plan.end), plan.fields, plan.not).toString('latin1');
}

describe('planSection (RFC 3501 section 6.4.5)', () => {
  test('whole message, HEADER, TEXT', () => {
    assert.equal(get({ part: [], specifier: null }), RAW.toString('latin1'));
    assert.ok(get({ part: [], specifier: 'HEADER' }).endsWith('boundary=X\r\n\r\n'));
    assert.ok(get({ part: [], specifier: 'TEXT' }).startsWith('--X\r\n'));
    assert.equal(get({ part: [], specifier: 'MIME' }), '<empty>');
  });

  test('part numbers, MIME, nested message parts', () => {
    assert.equal(get({ part: [1], specifier: null }), 'one');
    assert.equal(get({ part: [1], specifier: 'MIME' }), 'Content-Type: text/plain\r\n\r\n');
    assert.ok(get({ part: [2], specifier: null }).startsWith('Subject: inner'));
    assert.ok(get({ part: [2], specifier: 'HEADER' }).startsWith('Subject: inner'));
    assert.ok(get({ part: [2], specifier: 'HEADER' }).endsWith('boundary=Y\r\n\r\n'));
    assert.ok(get({ part: [2], specifier: 'TEXT' }).startsWith('--Y\r\n'));
    assert.equal(get({ part: [2, 1], specifier: null }), 'inner one');
    assert.equal(get({ part: [2, 2], specifier: null }), '<b>caf=C3=A9</b>');
    assert.equal(get({ part: [2, 2], specifier: 'MIME' }), 'Content-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n');
    // HEADER/TEXT only address message/rfc822 parts.
    assert.equal(get({ part: [1], specifier: 'HEADER' }), '<empty>');
    assert.equal(get({ part: [9], specifier: null }), '<empty>');
    assert.equal(get({ part: [1, 1], specifier: null }), 'one');
    assert.equal(get({ part: [1, 2], specifier: null }), '<empty>');
  });

  test('part 1 of a non-multipart message is its body', () => {
    const raw = crlf('Subject: x\n\nbody\n');
    const m = parseMessage(raw);
    const plan = planSection(m, { part: [1], specifier: null });
    assert.deepEqual(plan, { kind: 'range', start: 'Subject: x\r\n\r\n'.length, end: raw.length });
    assert.deepEqual(planSection(m, { part: [2], specifier: null }), { kind: 'empty' });
  });

  test('HEADER.FIELDS matches case-insensitively, keeps folding and the blank line', () => {
    const header = crlf('From: a\nSUBJECT: one\n two\nTo: b\nX-Subject: no\n\n');
    assert.equal(filterHeaderFields(header, ['subject', 'from'], false).toString(), 'From: a\r\nSUBJECT: one\r\n two\r\n\r\n');
    assert.equal(filterHeaderFields(header, ['Subject', 'FROM'], true).toString(), 'To: b\r\nX-Subject: no\r\n\r\n');
    assert.equal(filterHeaderFields(header, ['nothing'], false).toString(), '\r\n');
    assert.equal(get({ part: [2], specifier: 'HEADER.FIELDS', fields: ['CONTENT-TYPE'] }), 'content-type: multipart/alternative; boundary=Y\r\n\r\n');
    assert.equal(get({ part: [], specifier: 'HEADER.FIELDS.NOT', fields: ['from', 'content-type'] }), 'Subject: sections\r\n\r\n');
  });
});

describe('planBinary (RFC 3516)', () => {
  test('decodes base64 and quoted-printable, identity otherwise', () => {
    const b64 = planBinary(meta, [3]);
    assert.ok(b64.kind === 'range');
    assert.equal(decodeTransfer(RAW.subarray(b64.start, b64.end), b64.encoding).toString(), 'hello world');
    assert.equal(binarySizeHint(b64), null);
    const qp = planBinary(meta, [2, 2]);
    assert.ok(qp.kind === 'range');
    assert.equal(decodeTransfer(RAW.subarray(qp.start, qp.end), qp.encoding).toString('utf8'), '<b>café</b>');
    const plain = planBinary(meta, [1]);
    assert.ok(plain.kind === 'range');
    assert.equal(binarySizeHint(plain), 3);
  });

  test('unknown encodings and missing parts', () => {
    assert.deepEqual(planBinary(meta, [4]), { kind: 'unknownCte' });
    assert.deepEqual(planBinary(meta, [7]), { kind: 'empty' });
    assert.deepEqual(planBinary(meta, []), { kind: 'range', start: 0, end: RAW.length, encoding: '7bit' });
  });

  test('decodeTransfer tolerates junk', () => {
    assert.equal(decodeTransfer(Buffer.from('aGVs\r\nbG8=\r\n!!'), 'BASE64').toString(), 'hello');
    assert.equal(decodeTransfer(Buffer.from('a=3Db=\r\nc'), 'Quoted-Printable').toString(), 'a=bc');
    assert.equal(decodeTransfer(Buffer.from('raw'), '8bit').toString(), 'raw');
  });
});
