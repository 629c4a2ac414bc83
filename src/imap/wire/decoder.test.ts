import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError, ImapDecoder, MAX_NESTING_DEPTH } from './decoder.ts';

const d = (s: string, utf8 = false): ImapDecoder => new ImapDecoder(Buffer.from(s, 'utf8'), { utf8 });

describe('ImapDecoder', () => {
  test('tag, atom, SP, end', () => {
    const dec = d('a1 NOOP');
    assert.equal(dec.tag(), 'a1');
    dec.sp();
    assert.equal(dec.atom(), 'NOOP');
    dec.end();
    assert.throws(() => d('+a NOOP').tag(), DecodeError);
    const t = d('a  b');
    t.atom();
    t.sp();
    assert.throws(() => t.atom(), DecodeError);
    const x = d('abc def');
    x.atom();
    assert.throws(() => x.end(), DecodeError);
  });

  test('numbers', () => {
    assert.equal(d('4294967295').number(), 4294967295);
    assert.throws(() => d('4294967296').number(), DecodeError);
    assert.throws(() => d('0').nzNumber(), DecodeError);
    assert.equal(d('9007199254740991').number64(), 9007199254740991);
    assert.throws(() => d('x').number(), DecodeError);
  });

  test('quoted strings with escapes, literals, LITERAL+', () => {
    assert.equal(d('"a \\"b\\" \\\\"').string(), 'a "b" \\');
    assert.throws(() => d('"a\\x"').string(), DecodeError);
    assert.throws(() => d('"abc').string(), DecodeError);
    const lit = d('{5}\r\nhe\r\no rest');
    assert.deepEqual(lit.stringBytes(), Buffer.from('he\r\no'));
    lit.sp();
    assert.equal(lit.atom(), 'rest');
    assert.equal(d('{3+}\r\nabc').string(), 'abc');
    assert.throws(() => d('{9}\r\nabc').string(), DecodeError);
  });

  test('astring and nstring', () => {
    assert.equal(d('foo]bar').astring(), 'foo]bar');
    assert.equal(d('"x y"').astring(), 'x y');
    assert.equal(d('NIL').nstring(), null);
    assert.equal(d('nil').nstring(), null);
    assert.equal(d('"NIL"').nstring(), 'NIL');
    assert.throws(() => d('(').astring(), DecodeError);
  });

  test('lists, empty lists, nesting limit', () => {
    const dec = d('(a b c)');
    assert.deepEqual(dec.list(() => dec.atom()), ['a', 'b', 'c']);
    const e = d('()');
    assert.deepEqual(e.list(() => e.atom()), []);
    const deep = '('.repeat(MAX_NESTING_DEPTH + 1) + ')'.repeat(MAX_NESTING_DEPTH + 1);
    const nd = d(deep);
    const nested = (): unknown => nd.list(nested);
    assert.throws(nested, /nesting too deep/);
    const bad = d('(a  b)');
    assert.throws(() => bad.list(() => bad.atom()), DecodeError);
  });

  test('mailbox names: mUTF-7 decoded, INBOX normalized, UTF-8 mode', () => {
    assert.equal(d('inbox').mailbox(), 'INBOX');
    assert.equal(d('"InBoX/sub"').mailbox(), 'INBOX/sub');
    assert.equal(d('Entw&APw-rfe').mailbox(), 'Entwürfe');
    assert.throws(() => d('&AGE-').mailbox(), DecodeError);
    assert.throws(() => d('"Entwürfe"').mailbox(), DecodeError);
    assert.equal(d('"Entwürfe"', true).mailbox(), 'Entwürfe');
    assert.equal(d('%/&APw-*').listMailbox(), '%/ü*');
  });

  test('sequence sets and flags', () => {
    assert.deepEqual(d('1:*').sequenceSet().ranges, [{ start: 1, end: Infinity }]);
    assert.throws(() => d('0:3').sequenceSet(), DecodeError);
    const f = d('(\\seen \\Flagged $Junk)');
    assert.deepEqual(f.flagList(), ['\\Seen', '\\Flagged', '$Junk']);
    assert.throws(() => d('(\\)').flagList(), DecodeError);
  });

  test('dates and date-times', () => {
    assert.equal(d('1-Feb-1994').date(), '1994-02-01');
    assert.equal(d('"01-feb-1994"').date(), '1994-02-01');
    assert.throws(() => d('31-Feb-1994').date(), DecodeError);
    assert.equal(d('"17-Jul-1996 02:44:25 -0700"').dateTime().toISOString(), '1996-07-17T09:44:25.000Z');
    assert.equal(d('" 7-Jul-1996 02:44:25 +0000"').dateTime().toISOString(), '1996-07-07T02:44:25.000Z');
    assert.throws(() => d('"17-Jul-1996 25:44:25 -0700"').dateTime(), DecodeError);
    assert.throws(() => d('17-Jul-1996').dateTime(), DecodeError);
  });

  test('accept / expect are case-insensitive', () => {
    const dec = d('body.peek[');
    assert.equal(dec.accept('BODY'), true);
    assert.equal(dec.accept('.PEEK'), true);
    dec.expect('[');
    dec.end();
    assert.equal(d('x').peekByte(), 0x78);
    assert.equal(d('').peekByte(), -1);
  });
});

describe('ImapDecoder against the encoder (property)', () => {
  test('any byte string the encoder writes (quoted or literal) decodes back to the same bytes', async () => {
    const fc = (await import('fast-check')).default;
    const { encodeString } = await import('./value-encoder.ts');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.boolean(), (bytes, utf8) => {
        const out: Buffer[] = [];
        encodeString(Buffer.from(bytes), out, { utf8 });
        const dec = new ImapDecoder(Buffer.concat(out));
        assert.deepEqual(dec.stringBytes(), Buffer.from(bytes));
        dec.end();
      }),
    );
  });
});
