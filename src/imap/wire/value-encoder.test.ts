import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { atom, literal, run, type ImapValue } from '../protocol/values.ts';
import { encodeLiteral, encodeString, encodeValue, renderValue } from './value-encoder.ts';

const r = (v: ImapValue, utf8 = false): string => renderValue(v, { utf8 }).toString('latin1');

describe('value encoder: scalars', () => {
  test('NIL, numbers and atoms', () => {
    assert.equal(r(null), 'NIL');
    assert.equal(r(0), '0');
    assert.equal(r(4294967295), '4294967295');
    assert.equal(r(atom('\\Seen')), '\\Seen');
    assert.equal(r(atom('BODY[HEADER]')), 'BODY[HEADER]');
  });

  test('plain strings are quoted, the empty string too', () => {
    assert.equal(r('hello world'), '"hello world"');
    assert.equal(r(''), '""');
    // "NIL" as a string must not be confused with the NIL atom.
    assert.equal(r('NIL'), '"NIL"');
  });

  test('quoted-specials are escaped with a backslash (RFC 3501 section 9 quoted)', () => {
    assert.equal(r('say "hi"'), '"say \\"hi\\""');
    assert.equal(r('a\\b'), '"a\\\\b"');
    assert.equal(r('\\"'), '"\\\\\\""');
  });

  test('CR, LF and NUL force a literal', () => {
    assert.equal(r('a\r\nb'), '{4}\r\na\r\nb');
    assert.equal(r('a\nb'), '{3}\r\na\nb');
    assert.equal(r('a\rb'), '{3}\r\na\rb');
    assert.equal(r('a\0b'), '{3}\r\na\0b');
    // Inside a literal nothing is escaped.
    assert.equal(r('"\\\n'), '{3}\r\n"\\\n');
  });

  test('8-bit text is a literal unless UTF-8 is enabled (RFC 6855, RFC 9051 section 4.3)', () => {
    assert.equal(r('café'), '{5}\r\ncaf\xc3\xa9');
    assert.equal(renderValue('café', { utf8: true }).toString('utf8'), '"café"');
    assert.equal(renderValue('"é"', { utf8: true }).toString('utf8'), '"\\"é\\""');
    // UTF-8 enabled still cannot quote CR/LF.
    assert.equal(renderValue('é\r\n', { utf8: true }).toString('utf8'), '{4}\r\né\r\n');
  });

  test('literals and literal8 are written as given, whatever the options', () => {
    assert.equal(r(literal(Buffer.from('abc'))), '{3}\r\nabc');
    assert.equal(r(literal(Buffer.from('abc')), true), '{3}\r\nabc');
    assert.equal(r(literal(Buffer.alloc(0))), '{0}\r\n');
    assert.equal(r(literal(Buffer.from([0xe9, 0x00, 0xff]))), '{3}\r\n\xe9\x00\xff');
    assert.equal(r(literal(Buffer.from([0, 1, 2]), true)), '~{3}\r\n\x00\x01\x02');
    assert.equal(literal(Buffer.from('x')).binary, undefined);
  });
});

describe('value encoder: lists and runs', () => {
  test('lists get one SP between items and nest', () => {
    assert.equal(r([]), '()');
    assert.equal(r([null]), '(NIL)');
    assert.equal(r(['a', 1, null, atom('X')]), '("a" 1 NIL X)');
    assert.equal(r([['a', ['b', []]], null]), '(("a" ("b" ())) NIL)');
  });

  test('a literal inside a list keeps the list going after its bytes', () => {
    assert.equal(r(['a\r\n', 'b']), '({3}\r\na\r\n "b")');
  });

  test('a run writes its items with no separator (RFC 3501 1*body, 1*address)', () => {
    assert.equal(r(run([])), '');
    assert.equal(r(run([['a']])), '("a")');
    assert.equal(r([run([['a', null], ['b', 1]]), 'mixed']), '(("a" NIL)("b" 1) "mixed")');
    // An address list: "(" 1*address ")".
    assert.equal(r([run([[null, null, 'x', 'y'], [null, null, 'z', 'w']])]), '((NIL NIL "x" "y")(NIL NIL "z" "w"))');
    // Nested runs flatten.
    assert.equal(r([run([['a'], run([['b'], ['c']])])]), '(("a")("b")("c"))');
  });

  test('a run carries the encoding options to its items (no pre-rendering)', () => {
    const child: ImapValue = [run([['é'], ['b']])];
    assert.equal(r(child), '(({2}\r\n\xc3\xa9)("b"))');
    assert.equal(renderValue(child, { utf8: true }).toString('utf8'), '(("é")("b"))');
  });

  test('non-UTF-8 octets in a run stay exact and add no space (fixture 079)', () => {
    const v: ImapValue = [run([[literal(Buffer.from([0x66, 0xfc, 0x72]))], ['text']]), 'mixed'];
    assert.equal(r(v), '(({3}\r\nf\xfcr)("text") "mixed")');
    assert.equal(r(v, true), '(({3}\r\nf\xfcr)("text") "mixed")');
  });
});

describe('value encoder: building blocks', () => {
  test('encodeValue appends to the given array', () => {
    const out: Buffer[] = [Buffer.from('* ')];
    encodeValue(['a', run([[1], [2]])], out);
    assert.equal(Buffer.concat(out).toString(), '* ("a" (1)(2))');
  });

  test('encodeString and encodeLiteral', () => {
    const out: Buffer[] = [];
    encodeString(Buffer.from('x"y'), out);
    encodeString(Buffer.from([0xc3, 0xa9]), out, { utf8: true });
    encodeString(Buffer.from([0xe9]), out, { utf8: false });
    encodeLiteral(Buffer.from('z'), out, true);
    assert.equal(Buffer.concat(out).toString('latin1'), '"x\\"y""\xc3\xa9"{1}\r\n\xe9~{1}\r\nz');
  });
});

describe('value encoder: properties', () => {
  /** Reads back one string rendered by the encoder (quoted or literal). */
  function readString(bytes: Buffer): Buffer {
    if (bytes[0] === 0x22) {
      assert.equal(bytes[bytes.length - 1], 0x22);
      const inner = bytes.subarray(1, -1).toString('latin1');
      // Every `"` and `\` inside must be escaped.
      assert.doesNotMatch(inner.replace(/\\["\\]/g, ''), /["\\]/);
      assert.doesNotMatch(inner, /[\r\n\0]/);
      return Buffer.from(inner.replace(/\\(["\\])/g, '$1'), 'latin1');
    }
    const m = /^\{(\d+)\}\r\n/.exec(bytes.toString('latin1'));
    assert.ok(m, 'a literal');
    const body = bytes.subarray(m[0].length);
    assert.equal(body.length, Number(m[1]));
    return body;
  }

  test('any string round-trips, quoted only when allowed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.boolean(), (s, utf8) => {
        const bytes = renderValue(s, { utf8 });
        assert.deepEqual(readString(bytes), Buffer.from(s, 'utf8'));
        const eightBit = /[^\x00-\x7f]/.test(s);
        const quoted = bytes[0] === 0x22;
        if (/[\r\n\0]/.test(s) || (eightBit && !utf8)) assert.equal(quoted, false);
        else assert.equal(quoted, true);
      }),
    );
  });

  test('a run of lists renders as the concatenation of its items', () => {
    const item = fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.nat(), fc.constant(null)), { maxLength: 4 });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 5 }), fc.boolean(), (items, utf8) => {
        const whole = renderValue(run(items), { utf8 });
        const parts = Buffer.concat(items.map((i) => renderValue(i, { utf8 })));
        assert.deepEqual(whole, parts);
      }),
    );
  });
});
