import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreError, isStoreError } from '../errors.ts';
import { chunkSpan, chunkedBody, splitChunks, type ChunkSource } from './chunked-body.ts';

void test('splitChunks: fixed-size views, one empty chunk for an empty message', () => {
  assert.deepEqual(splitChunks(Buffer.from('abcdefg'), 3).map(String), ['abc', 'def', 'g']);
  assert.deepEqual(splitChunks(Buffer.from('abcdef'), 3).map(String), ['abc', 'def']);
  assert.deepEqual(splitChunks(Buffer.alloc(0), 3).map((b) => b.length), [0]);
});

void test('chunkSpan names the chunks holding [start, end)', () => {
  assert.deepEqual(chunkSpan(0, 1, 4), { first: 0, last: 0 });
  assert.deepEqual(chunkSpan(3, 5, 4), { first: 0, last: 1 });
  assert.deepEqual(chunkSpan(4, 8, 4), { first: 1, last: 1 });
  assert.deepEqual(chunkSpan(7, 13, 4), { first: 1, last: 3 });
});

/** A source over `bytes`, sync or async, that records the ranges it was asked for. */
function source(bytes: Buffer, chunkSize: number, mode: 'sync' | 'async', open = { value: true }): ChunkSource & { asked: [number, number][] } {
  const asked: [number, number][] = [];
  return {
    asked,
    size: bytes.length,
    chunkSize,
    read(start, end) {
      asked.push([start, end]);
      const slice = Buffer.from(bytes.subarray(start, end));
      return mode === 'sync' ? slice : Promise.resolve(slice);
    },
    checkOpen() {
      if (!open.value) throw new StoreError('unavailable', 'store closed');
    },
  };
}

async function collect(stream: AsyncIterable<unknown>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const piece of stream) out.push(piece as Buffer);
  return out;
}

for (const mode of ['sync', 'async'] as const) {
  void test(`chunkedBody (${mode} source): read clamps, stream reads one chunk per step on chunk boundaries`, async () => {
    const bytes = Buffer.from('abcdefghijklmnopqrstuvwxyz');
    const src = source(bytes, 8, mode);
    const body = chunkedBody(src);
    assert.equal(body.size, 26);
    assert.equal(String(await body.read()), bytes.toString());
    assert.equal(String(await body.read(24, 100)), 'yz');
    assert.equal((await body.read(10, 5)).length, 0);
    src.asked.length = 0;
    const pieces = await collect(body.stream(5, 20));
    assert.equal(Buffer.concat(pieces).toString(), 'fghijklmnopqrst');
    assert.deepEqual(src.asked, [[5, 8], [8, 16], [16, 20]]);
    assert.deepEqual(await collect(body.stream(26)), []);
  });
}

void test('chunkedBody: a stream step on a closed store fails with unavailable; read errors reject, never throw', async () => {
  const open = { value: true };
  const src = source(Buffer.alloc(100, 1), 10, 'sync', open);
  const stream = chunkedBody(src).stream();
  const first = (await stream[Symbol.asyncIterator]().next()).value as Buffer;
  assert.equal(first.length, 10);
  open.value = false;
  await assert.rejects(collect(stream), (err: unknown) => isStoreError(err, 'unavailable'));

  const gone = chunkedBody({ size: 5, chunkSize: 2, read: () => { throw new StoreError('notFound', 'gone'); }, checkOpen: () => {} });
  const read = gone.read(0, 5);
  assert.ok(read instanceof Promise);
  await assert.rejects(read, (err: unknown) => isStoreError(err, 'notFound'));
  await assert.rejects(collect(gone.stream()), (err: unknown) => isStoreError(err, 'notFound'));
});
