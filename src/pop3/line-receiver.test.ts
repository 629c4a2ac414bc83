import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineReceiver, type ReceivedLine } from './line-receiver.ts';

function feed(max: number, chunks: Buffer[]): string[] {
  const r = new LineReceiver(max);
  const out: ReceivedLine[] = [];
  for (const c of chunks) out.push(...r.push(c));
  return out.map((e) => (e.kind === 'line' ? `L:${e.text.toString('latin1')}` : 'TOOLONG'));
}

void describe('LineReceiver', () => {
  void test('splits CRLF and bare LF lines, keeps partial lines', () => {
    const r = new LineReceiver(100);
    assert.deepEqual(r.push(Buffer.from('USER a\r\nPASS b\nST')).map((e) => e.kind === 'line' && e.text.toString()), ['USER a', 'PASS b']);
    assert.equal(r.buffered, 2);
    assert.deepEqual(r.push(Buffer.from('AT\r\n')).map((e) => e.kind === 'line' && e.text.toString()), ['STAT']);
  });
  void test('over-long lines give one tooLong event and are skipped', () => {
    assert.deepEqual(feed(4, [Buffer.from('abcd\r\nabcde\r\nxxxxxxxxxxxxxxxxx\r\nok\r\n')]), ['L:abcd', 'TOOLONG', 'TOOLONG', 'L:ok']);
  });
  void test('discard drops a partial line', () => {
    const r = new LineReceiver(100);
    r.push(Buffer.from('partial'));
    r.discard();
    assert.deepEqual(feed(100, [Buffer.from('x\r\n')]), ['L:x']);
    assert.deepEqual(r.push(Buffer.from('y\r\n')).map((e) => e.kind === 'line' && e.text.toString()), ['y']);
  });
  void test('property: every split of the input gives the same events', () => {
    const input = fc.array(fc.oneof(fc.constantFrom('\r\n', '\n', '\r', 'USER x', 'AUTH PLAIN', ' '), fc.string({ maxLength: 12 })), { maxLength: 20 });
    fc.assert(
      fc.property(input, fc.array(fc.nat(), { maxLength: 10 }), fc.integer({ min: 1, max: 16 }), (parts, cuts, max) => {
        const bytes = Buffer.from(parts.join(''));
        const whole = feed(max, [bytes]);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const p of [...points, bytes.length]) {
          chunks.push(bytes.subarray(prev, p));
          prev = p;
        }
        assert.deepEqual(feed(max, chunks), whole);
      }),
      { numRuns: 1000 },
    );
  });
  void test('every single-byte split point on a fixed script', () => {
    const bytes = Buffer.from('CAPA\r\nUSER alice\r\nPASS pass word\nSTAT\r\nLIST 1\r\nTOOLONGLINEXXXXXXXXXXXXXXXXX\r\nQUIT\r\n');
    const whole = feed(20, [bytes]);
    for (let i = 0; i <= bytes.length; i++) {
      assert.deepEqual(feed(20, [bytes.subarray(0, i), bytes.subarray(i)]), whole);
    }
    const oneByOne: Buffer[] = [];
    for (let i = 0; i < bytes.length; i++) oneByOne.push(bytes.subarray(i, i + 1));
    assert.deepEqual(feed(20, oneByOne), whole);
  });
});
