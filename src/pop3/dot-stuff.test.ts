import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DotStuffer, dotStuff, dotUnstuff, normalizedSize } from './dot-stuff.ts';

const b = (s: string) => Buffer.from(s, 'latin1');

/** Encode through the streaming encoder with the given chunk boundaries. */
function encodeSplit(message: Buffer, cuts: number[], bodyLines?: number): Buffer {
  const enc = new DotStuffer(bodyLines === undefined ? {} : { bodyLines });
  const points = [...new Set(cuts.map((c) => c % (message.length + 1)))].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, message.length]) {
    if (enc.done) break;
    out.push(enc.push(message.subarray(prev, p)));
    prev = p;
  }
  out.push(enc.end());
  return Buffer.concat(out);
}

void describe('dot-stuffing encoder', () => {
  void test('stuffs leading dots and terminates', () => {
    assert.equal(dotStuff(b('a\r\n.b\r\n..c\r\n.\r\n')).toString('latin1'), 'a\r\n..b\r\n...c\r\n..\r\n.\r\n');
  });
  void test('normalizes bare LF and adds a final CRLF', () => {
    assert.equal(dotStuff(b('a\nb\r\n.c')).toString('latin1'), 'a\r\nb\r\n..c\r\n.\r\n');
    assert.equal(dotStuff(b('x\r')).toString('latin1'), 'x\r\n.\r\n');
    assert.equal(dotStuff(b('')).toString('latin1'), '.\r\n');
  });
  void test('a dot in the middle of a line is untouched', () => {
    assert.equal(dotStuff(b('a.b\r\n')).toString('latin1'), 'a.b\r\n.\r\n');
  });
  void test('TOP: header, blank line, n body lines', () => {
    const msg = b('Subject: x\r\nFrom: y\r\n\r\nl1\r\n.l2\r\nl3\r\n');
    assert.equal(dotStuff(msg, { bodyLines: 0 }).toString('latin1'), 'Subject: x\r\nFrom: y\r\n\r\n.\r\n');
    assert.equal(dotStuff(msg, { bodyLines: 2 }).toString('latin1'), 'Subject: x\r\nFrom: y\r\n\r\nl1\r\n..l2\r\n.\r\n');
    assert.equal(dotStuff(msg, { bodyLines: 99 }).toString('latin1'), 'Subject: x\r\nFrom: y\r\n\r\nl1\r\n..l2\r\nl3\r\n.\r\n');
  });
  void test('TOP with LF-only header separator and a header-only message', () => {
    assert.equal(dotStuff(b('A: 1\n\nbody\nmore\n'), { bodyLines: 1 }).toString('latin1'), 'A: 1\r\n\r\nbody\r\n.\r\n');
    assert.equal(dotStuff(b('A: 1\r\nB: 2'), { bodyLines: 3 }).toString('latin1'), 'A: 1\r\nB: 2\r\n.\r\n');
  });
  void test('normalizedSize counts bare LF twice', () => {
    assert.equal(normalizedSize(b('a\nb\r\n\n')), 8);
    assert.equal(normalizedSize(b('\n')), 2);
  });
  void test('property: any chunking gives the same bytes, and unstuffing round-trips CRLF messages', () => {
    const lineArb = fc.stringMatching(/^[.a-z \r]{0,6}$/);
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 8 }), fc.option(fc.nat(5), { nil: undefined }), (lines, cuts, top) => {
        const crlfMessage = b(lines.map((l) => l.replace(/\r/g, '') + '\r\n').join(''));
        const whole = dotStuff(crlfMessage, top === undefined ? {} : { bodyLines: top });
        assert.deepEqual(encodeSplit(crlfMessage, cuts, top), whole);
        if (top === undefined) assert.deepEqual(dotUnstuff(whole), crlfMessage);
        // Mixed endings: chunking still does not matter, and output size = normalized size + stuffing.
        const mixed = b(lines.join('\n'));
        const enc = dotStuff(mixed);
        assert.deepEqual(encodeSplit(mixed, cuts), enc);
        const unstuffed = dotUnstuff(enc);
        assert.ok(unstuffed);
        const expectedSize = normalizedSize(mixed) + (mixed.length > 0 && mixed[mixed.length - 1] !== 0x0a ? (mixed[mixed.length - 1] === 0x0d ? 1 : 2) : 0);
        assert.equal(unstuffed.length, expectedSize);
      }),
      { numRuns: 500 },
    );
  });
});
