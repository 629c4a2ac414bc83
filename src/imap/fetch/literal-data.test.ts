import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { partialWindow, replaceNul, sectionSpecOf } from './literal-data.ts';

void describe('partial window (RFC 3501 section 6.4.5)', () => {
  void test('origin and count clip to the data', () => {
    assert.deepEqual(partialWindow(10, null), { start: 0, end: 10 });
    assert.deepEqual(partialWindow(10, { origin: 0, count: 5 }), { start: 0, end: 5 });
    assert.deepEqual(partialWindow(10, { origin: 8, count: 5 }), { start: 8, end: 10 });
    // An origin past the end gives an empty string.
    assert.deepEqual(partialWindow(10, { origin: 10, count: 5 }), { start: 10, end: 10 });
    assert.deepEqual(partialWindow(10, { origin: 1000, count: 5 }), { start: 10, end: 10 });
  });
});

void describe('NUL in literals', () => {
  void test('NUL becomes 0x80, other bytes and the length stay', () => {
    const data = Buffer.from([0x41, 0, 0x42, 0, 0xff]);
    assert.deepEqual(replaceNul(data), Buffer.from([0x41, 0x80, 0x42, 0x80, 0xff]));
    assert.deepEqual(data, Buffer.from([0x41, 0, 0x42, 0, 0xff]), 'the input is not modified');
    const clean = Buffer.from('abc');
    assert.equal(replaceNul(clean), clean);
  });
});

void describe('section spec conversion', () => {
  void test('every section-text kind maps to the message module spec', () => {
    assert.deepEqual(sectionSpecOf({ part: [], text: null }), { part: [], specifier: null });
    assert.deepEqual(sectionSpecOf({ part: [1, 2], text: { kind: 'mime' } }), { part: [1, 2], specifier: 'MIME' });
    assert.deepEqual(sectionSpecOf({ part: [3], text: { kind: 'header' } }), { part: [3], specifier: 'HEADER' });
    assert.deepEqual(sectionSpecOf({ part: [], text: { kind: 'text' } }), { part: [], specifier: 'TEXT' });
    assert.deepEqual(sectionSpecOf({ part: [], text: { kind: 'headerFields', fields: ['A'], not: true } }), {
      part: [],
      specifier: 'HEADER.FIELDS.NOT',
      fields: ['A'],
    });
  });
});
