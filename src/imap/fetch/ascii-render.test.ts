import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { atom, literal, run, type ImapValue } from '../protocol/values.ts';
import { renderValue } from '../wire/value-encoder.ts';
import { asciiRender } from './ascii-render.ts';

const text = fc.constantFrom('', 'plain', 'a "q" \\ b', 'tab\there', 'caf\u00e9', 'cr\rlf\n', 'nul\0', '\x7f\x01');
const value: fc.Arbitrary<ImapValue> = fc.letrec<{ v: ImapValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.nat(),
    text,
    text.map((t) => atom(t.replace(/[\s"\\]/g, 'x') || 'A')),
    fc.constant(literal(Buffer.from('lit'))),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.array(tie('v'), { maxLength: 3 }).map((items) => run(items)),
  ),
})).v;

void test('asciiRender writes what encodeValue writes, or gives up on 8-bit text, CR, LF, NUL and literals', () => {
  assert.equal(asciiRender(['text', 'plain', ['charset', 'us-ascii'], null, 7, run([['a'], ['b']])]), '("text" "plain" ("charset" "us-ascii") NIL 7 ("a")("b"))');
  assert.equal(asciiRender('caf\u00e9'), null);
  assert.equal(asciiRender(literal(Buffer.from('x'))), null);
  fc.assert(
    fc.property(value, (v) => {
      const fast = asciiRender(v);
      if (fast === null) return;
      for (const utf8 of [false, true]) assert.equal(fast, renderValue(v, { utf8 }).toString('latin1'));
    }),
    { numRuns: 2000 },
  );
});
