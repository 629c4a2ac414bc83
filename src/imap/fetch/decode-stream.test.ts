import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { decodeTransfer } from '../../message/decode.ts';
import { QP_MAX_CARRY, sliceStream, transferDecoderStream } from './decode-stream.ts';

/** Feed `input` in pieces cut at `cuts`, collect the decoder's output. */
async function streamed(input: Buffer, encoding: string, cuts: number[]): Promise<Buffer> {
  const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let last = 0;
  for (const p of [...points, input.length]) {
    if (p > last) pieces.push(input.subarray(last, p));
    last = Math.max(last, p);
  }
  const out: Buffer[] = [];
  for await (const chunk of Readable.from(pieces).pipe(transferDecoderStream(encoding))) out.push(chunk as Buffer);
  return Buffer.concat(out);
}

void describe('streaming transfer decoders', () => {
  void test('base64: any chunking gives the one-shot result', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 8 }), async (bytes, cuts) => {
        const encoded = Buffer.from(Buffer.from(bytes).toString('base64').replace(/(.{76})/g, '$1\r\n'));
        const expected = decodeTransfer(encoded, 'base64');
        assert.deepEqual(await streamed(encoded, 'base64', cuts), expected);
        assert.deepEqual(expected, Buffer.from(bytes));
      }),
    );
  });

  void test('quoted-printable: any chunking gives the one-shot result', async () => {
    const qpChar = fc.constantFrom('a', 'b', ' ', '\t', '=', '=3D', '=E9', '=\r\n', '\r\n', 'xyz', '=4', '= \r\n');
    await fc.assert(
      fc.asyncProperty(fc.array(qpChar, { maxLength: 80 }), fc.array(fc.nat(), { maxLength: 8 }), async (parts, cuts) => {
        const encoded = Buffer.from(parts.join(''), 'latin1');
        assert.deepEqual(await streamed(encoded, 'quoted-printable', cuts), decodeTransfer(encoded, 'quoted-printable'));
      }),
    );
  });

  void test('quoted-printable: a hostile single line longer than the carry limit', async () => {
    const encoded = Buffer.from('ab=3D'.repeat(Math.ceil((QP_MAX_CARRY * 2) / 5)), 'latin1');
    assert.deepEqual(await streamed(encoded, 'quoted-printable', [1000, 70_000, 100_001]), decodeTransfer(encoded, 'quoted-printable'));
  });

  void test('identity encodings pass through; sliceStream cuts a window', async () => {
    const data = Buffer.from('0123456789');
    assert.deepEqual(await streamed(data, '8bit', [3, 7]), data);
    const out: Buffer[] = [];
    for await (const c of Readable.from([data.subarray(0, 4), data.subarray(4)]).pipe(sliceStream(2, 7))) out.push(c as Buffer);
    assert.equal(Buffer.concat(out).toString(), '23456');
  });
});
