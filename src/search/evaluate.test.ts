import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { compileSearch, decodeSearchCharset } from './index.ts';
import type { SearchCandidate, SearchQuery } from './index.ts';
import { parseMessage } from '../message/index.ts';

const crlf = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'latin1');

function candidate(raw: Buffer, extra: Partial<SearchCandidate> = {}): SearchCandidate {
  return {
    uid: 5, flags: ['\\Seen', 'Work'], internalDate: new Date('2024-03-10T23:30:00Z'),
    saveDate: new Date('2024-03-11T01:00:00Z'), size: raw.length, modseq: 7, emailId: 'E1', threadId: 'T1',
    meta: parseMessage(raw), body: raw, ...extra,
  };
}

const MSG = Buffer.concat([
  crlf(`From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.de>
To: "Doe, Jane" <jane@example.com>, bob@example.org
Subject: =?ISO-8859-1?Q?Gr=FC=DFe?=
Date: Sun, 10 Mar 2024 23:59:00 -0800
Content-Type: multipart/alternative; boundary=zz

--zz
Content-Type: text/plain; charset=koi8-r
Content-Transfer-Encoding: base64

`),
  Buffer.from(iconv.encode('Привет, МИР', 'koi8-r').toString('base64') + '\r\n'),
  crlf(`--zz
Content-Type: text/html; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

<p>STRA=DFE</p>
--zz--
`),
]);

const match = (q: SearchQuery, c = candidate(MSG)): boolean => compileSearch(q).match(c);

describe('compileSearch', () => {
  test('needs flags', () => {
    assert.deepEqual([compileSearch({ type: 'flag', flag: '\\Seen' }).needsMeta, compileSearch({ type: 'flag', flag: 'x' }).needsBody], [false, false]);
    const q = compileSearch({ type: 'or', left: { type: 'header', field: 'subject', value: 'x' }, right: { type: 'body', value: 'y' } });
    assert.equal(q.needsMeta, true);
    assert.equal(q.needsBody, true);
  });

  test('flags, uid, size, modseq, ids', () => {
    assert.ok(match({ type: 'flag', flag: '\\seen' }));
    assert.ok(match({ type: 'flag', flag: 'work' }));
    assert.ok(!match({ type: 'flag', flag: '\\Deleted' }));
    assert.ok(match({ type: 'uid', ranges: [{ start: 1, end: 3 }, { start: 5, end: Infinity }] }));
    assert.ok(!match({ type: 'uid', ranges: [{ start: 6, end: 9 }] }));
    assert.ok(match({ type: 'size', op: 'larger', size: 10 }));
    assert.ok(!match({ type: 'size', op: 'smaller', size: 10 }));
    assert.ok(match({ type: 'modseq', min: 7 }));
    assert.ok(!match({ type: 'modseq', min: 8 }));
    assert.ok(match({ type: 'and', keys: [{ type: 'emailId', id: 'E1' }, { type: 'threadId', id: 'T1' }] }));
    assert.ok(match({ type: 'not', key: { type: 'emailId', id: 'E2' } }));
  });

  test('dates', () => {
    assert.ok(match({ type: 'internalDate', op: 'on', date: '2024-03-10' }));
    assert.ok(match({ type: 'internalDate', op: 'before', date: '2024-03-11' }));
    assert.ok(!match({ type: 'internalDate', op: 'since', date: '2024-03-11' }));
    // The Date header's own day, not converted to UTC (which would be the 11th).
    assert.ok(match({ type: 'sentDate', op: 'on', date: '2024-03-10' }));
    assert.ok(match({ type: 'saveDate', op: 'on', date: '2024-03-11' }));
    const now = new Date('2024-03-11T00:30:00Z');
    assert.ok(compileSearch({ type: 'within', op: 'younger', seconds: 3600 }, { now }).match(candidate(MSG)));
    assert.ok(compileSearch({ type: 'within', op: 'older', seconds: 3600 }, { now }).match(candidate(MSG)));
    assert.ok(!compileSearch({ type: 'within', op: 'older', seconds: 3601 }, { now }).match(candidate(MSG)));
  });

  test('decoded headers and addresses', () => {
    assert.ok(match({ type: 'header', field: 'from', value: 'jürgen müller' }));
    assert.ok(match({ type: 'header', field: 'FROM', value: 'JUERGEN@EXAMPLE' }));
    assert.ok(match({ type: 'header', field: 'to', value: 'doe, jane' }));
    assert.ok(match({ type: 'header', field: 'subject', value: 'GRÜSSE' }));
    assert.ok(match({ type: 'header', field: 'cc', value: '' }) === false);
    assert.ok(match({ type: 'header', field: 'date', value: '' }));
  });

  test('decoded bodies', () => {
    assert.ok(match({ type: 'body', value: 'привет, мир' }));
    assert.ok(match({ type: 'body', value: 'strasse' }));
    assert.ok(!match({ type: 'body', value: 'Jürgen' }));
    assert.ok(match({ type: 'text', value: 'Jürgen' }));
    // Body search works from the raw message when no meta was stored.
    assert.ok(match({ type: 'body', value: 'мир' }, candidate(MSG, { meta: undefined })));
  });

  test('decodeSearchCharset', () => {
    assert.equal(decodeSearchCharset(iconv.encode('Grüße', 'iso-8859-1'), 'ISO-8859-1'), 'Grüße');
    assert.equal(decodeSearchCharset(Buffer.from('x'), 'x-no-such-charset'), null);
  });
});

describe('search over the fixture corpus (charsets)', () => {
  const fixture = (name: string): Buffer => readFileSync(`test/fixtures/messages/${name}.eml`);
  const cases: Array<[string, SearchQuery]> = [
    ['019-iso-8859-1', { type: 'body', value: 'CAFÉ CRÈME' }],
    ['019-iso-8859-1', { type: 'header', field: 'subject', value: "réunion à l'hôtel" }],
    ['019-iso-8859-1', { type: 'header', field: 'from', value: 'René Lefèvre' }],
    ['020-iso-8859-2', { type: 'body', value: 'gęślą jaźń' }],
    ['020-iso-8859-2', { type: 'header', field: 'subject', value: 'żółw' }],
    ['021-windows-1251', { type: 'body', value: 'привет! это' }],
    ['021-windows-1251', { type: 'header', field: 'subject', value: 'ОТЧЁТ' }],
    ['022-koi8-r', { type: 'body', value: 'в пятницу' }],
    ['022-koi8-r', { type: 'header', field: 'subject', value: 'встреча' }],
    ['023-shift-jis', { type: 'body', value: '会議は明日' }],
    ['023-shift-jis', { type: 'header', field: 'from', value: '田中' }],
    ['024-iso-2022-jp', { type: 'body', value: '会議は明日' }],
    ['024-iso-2022-jp', { type: 'header', field: 'subject', value: '明日の会議' }],
    ['025-gb2312', { type: 'body', value: '你好，世界' }],
    ['025-gb2312', { type: 'header', field: 'subject', value: '会议通知' }],
    ['026-big5', { type: 'body', value: '明天見' }],
    ['026-big5', { type: 'header', field: 'from', value: '陳大文' }],
    ['027-raw-utf8-headers', { type: 'header', field: 'subject', value: 'NAÏVE CAFÉ' }],
    ['005-outlook-mixed-related', { type: 'body', value: 'the budget – final version' }],
    ['014-dsn-headers', { type: 'text', value: 'user unknown' }],
    ['017-forward-nested-three-deep', { type: 'body', value: 'the innermost text' }],
    ['029-group-syntax', { type: 'header', field: 'cc', value: 'berg, bo' }],
    ['032-encoded-word-names', { type: 'header', field: 'to', value: 'André Pirard' }],
    ['032-encoded-word-names', { type: 'header', field: 'subject', value: 'you can read this you understand' }],
    ['038-rfc2231-single-extended', { type: 'header', field: 'content-disposition', value: 'résumé.pdf' }],
    ['038-rfc2231-single-extended', { type: 'header', field: 'Content-Type', value: 'this is ***fun***' }],
  ];
  for (const [name, q] of cases) {
    test(`${name}: ${JSON.stringify(q)}`, () => {
      const raw = fixture(name);
      assert.ok(compileSearch(q).match(candidate(raw)));
      assert.ok(!compileSearch({ type: 'not', key: q }).match(candidate(raw)));
    });
  }
  test('no false positives across charsets', () => {
    assert.ok(!compileSearch({ type: 'body', value: '会議' }).match(candidate(fixture('021-windows-1251'))));
  });
});
