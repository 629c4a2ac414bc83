import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError, ImapDecoder } from '../wire/decoder.ts';
import { buildFetchPlan, fetchAttList, itemLabel, type FetchItem } from './plan.ts';

function parse(text: string): FetchItem[] {
  const d = new ImapDecoder(Buffer.from(text, 'latin1'));
  const items = fetchAttList(d);
  d.end();
  return items;
}

function labels(text: string): string[] {
  return parse(text).map(itemLabel);
}

void describe('fetch att list', () => {
  void test('macros expand as RFC 3501 section 6.4.5 says', () => {
    assert.deepEqual(labels('ALL'), ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE']);
    assert.deepEqual(labels('fast'), ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE']);
    assert.deepEqual(labels('FULL'), ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY']);
  });

  void test('macros are not allowed inside a list', () => {
    assert.throws(() => parse('(ALL)'), DecodeError);
    assert.throws(() => parse('(FLAGS FAST)'), DecodeError);
  });

  void test('every simple item', () => {
    assert.deepEqual(
      labels('(ENVELOPE FLAGS INTERNALDATE RFC822 RFC822.HEADER RFC822.SIZE RFC822.TEXT BODY BODYSTRUCTURE UID)'),
      ['ENVELOPE', 'FLAGS', 'INTERNALDATE', 'RFC822', 'RFC822.HEADER', 'RFC822.SIZE', 'RFC822.TEXT', 'BODY', 'BODYSTRUCTURE', 'UID'],
    );
  });

  void test('a single item without parentheses', () => {
    assert.deepEqual(parse('uid'), [{ type: 'uid' }]);
    assert.deepEqual(labels('BODY[]'), ['BODY[]']);
  });

  void test('sections', () => {
    assert.deepEqual(parse('BODY[]')[0], { type: 'section', name: 'BODY', section: { part: [], text: null }, partial: null, peek: false });
    assert.deepEqual(parse('BODY.PEEK[1.2.3]')[0], {
      type: 'section',
      name: 'BODY',
      section: { part: [1, 2, 3], text: null },
      partial: null,
      peek: true,
    });
    assert.deepEqual(labels('(BODY[HEADER] BODY[TEXT] BODY[1.MIME] BODY[2.HEADER] body.peek[3.text])'), [
      'BODY[HEADER]',
      'BODY[TEXT]',
      'BODY[1.MIME]',
      'BODY[2.HEADER]',
      'BODY[3.TEXT]',
    ]);
  });

  void test('HEADER.FIELDS lists are echoed upper-cased, as Dovecot does', () => {
    const [item] = parse('BODY.PEEK[HEADER.FIELDS (subject "From" {2}\r\nto)]');
    assert.equal(item.type, 'section');
    if (item.type !== 'section') return;
    assert.deepEqual(item.section.text, { kind: 'headerFields', fields: ['subject', 'From', 'to'], not: false, quoted: [false, true, true] });
    // Strings stay strings in the echo (Dovecot does the same).
    assert.equal(itemLabel(item), 'BODY[HEADER.FIELDS (SUBJECT "FROM" "TO")]');
    assert.equal(labels('BODY[HEADER.FIELDS (a b)]')[0], 'BODY[HEADER.FIELDS (A B)]');
    assert.equal(labels('BODY[1.HEADER.FIELDS.NOT (X-A)]')[0], 'BODY[1.HEADER.FIELDS.NOT (X-A)]');
  });

  void test('partials echo only the origin', () => {
    const [item] = parse('BODY[]<0.100>');
    assert.ok(item.type === 'section');
    assert.deepEqual(item.type === 'section' ? item.partial : null, { origin: 0, count: 100 });
    assert.equal(itemLabel(item), 'BODY[]<0>');
    assert.equal(labels('BODY.PEEK[1.TEXT]<12.5>')[0], 'BODY[1.TEXT]<12>');
  });

  void test('BINARY items (RFC 3516)', () => {
    assert.deepEqual(parse('(BINARY[1.2]<3.4> BINARY.PEEK[] BINARY.SIZE[2])'), [
      { type: 'binary', part: [1, 2], partial: { origin: 3, count: 4 }, peek: false },
      { type: 'binary', part: [], partial: null, peek: true },
      { type: 'binarySize', part: [2] },
    ]);
    assert.deepEqual(labels('(BINARY[1]<0.5> BINARY.SIZE[1])'), ['BINARY[1]<0>', 'BINARY.SIZE[1]']);
  });

  void test('malformed att lists are BAD', () => {
    for (const bad of [
      '',
      '()',
      'FOO',
      'BODY[',
      'BODY[HEADER',
      'BODY[MIME]', // MIME needs a part number
      'BODY[0]',
      'BODY[1.]',
      'BODY[1HEADER]',
      'BODY[HEADER.FIELDS ()]',
      'BODY[HEADER.FIELDS]',
      'BODY[TEXT.MIME]',
      'BODY[]<1>',
      'BODY[]<1.0>',
      'BODY[]<a.1>',
      'BINARY[HEADER]',
      'BINARY[1.TEXT]',
      'BINARY.SIZE[1]<0.1>',
      'UID[1]',
      '(FLAGS',
      '(FLAGS  UID)',
      'RFC822.FOO',
    ]) {
      assert.throws(() => parse(bad), DecodeError, bad);
    }
  });
});

void describe('fetch plan', () => {
  void test('UID FETCH puts UID first and de-duplicates', () => {
    const plan = buildFetchPlan(parse('(FLAGS UID FLAGS)'), { uid: true });
    assert.deepEqual(plan.items.map(itemLabel), ['UID', 'FLAGS']);
    assert.equal(plan.hasFlags, true);
  });

  void test('needs: metadata, body, \\Seen', () => {
    const p = (text: string) => buildFetchPlan(parse(text), { uid: false });
    assert.deepEqual(pick(p('(FLAGS UID RFC822.SIZE INTERNALDATE)')), [false, false, false]);
    assert.deepEqual(pick(p('ENVELOPE')), [true, false, false]);
    assert.deepEqual(pick(p('BODY.PEEK[]')), [false, true, false]);
    assert.deepEqual(pick(p('RFC822')), [false, true, true]);
    assert.deepEqual(pick(p('RFC822.HEADER')), [true, true, false]);
    assert.deepEqual(pick(p('RFC822.TEXT')), [true, true, true]);
    assert.deepEqual(pick(p('BODY[1]')), [true, true, true]);
    assert.deepEqual(pick(p('BINARY.PEEK[1]')), [true, true, false]);
    assert.deepEqual(pick(p('BINARY.SIZE[1]')), [true, true, false]);
    assert.deepEqual(pick(p('BINARY[1]')), [true, true, true]);
  });

  void test('a PEEK and a non-PEEK of the same section answer once and still set \\Seen', () => {
    const plan = buildFetchPlan(parse('(BODY.PEEK[TEXT] BODY[TEXT])'), { uid: false });
    assert.equal(plan.items.length, 1);
    assert.equal(plan.setsSeen, true);
  });
});

function pick(plan: ReturnType<typeof buildFetchPlan>): boolean[] {
  return [plan.needsMeta, plan.needsBody, plan.setsSeen];
}

void describe('extension fetch items', () => {
  void test('SAVEDATE (RFC 8514), EMAILID and THREADID (RFC 8474) need no metadata and name their capability', () => {
    assert.deepEqual(labels('(savedate EMAILID threadid)'), ['SAVEDATE', 'EMAILID', 'THREADID']);
    const plan = buildFetchPlan(parse('(SAVEDATE EMAILID THREADID)'), { uid: true });
    assert.deepEqual(pick(plan), [false, false, false]);
    assert.deepEqual([...plan.extensions].sort(), ['OBJECTID', 'SAVEDATE']);
    assert.deepEqual([...buildFetchPlan(parse('(FLAGS BODY.PEEK[])'), { uid: false }).extensions], []);
    assert.throws(() => parse('SAVEDATE[]'), DecodeError);
  });
});

void describe('partial (RFC 9051 number64)', () => {
  void test('origin and count beyond 32 bits are accepted; a zero count is BAD', () => {
    assert.deepEqual(labels('BODY.PEEK[]<4294967296.8589934592>'), ['BODY[]<4294967296>']);
    assert.throws(() => parse('BODY[]<0.0>'), DecodeError);
  });
});
