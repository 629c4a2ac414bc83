import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError, ImapDecoder } from '../wire/decoder.ts';
import { parseStoreArgs } from './store.ts';
import { parseCopyArgs } from './copy.ts';

const store = (text: string) => parseStoreArgs(new ImapDecoder(Buffer.from(' ' + text)));

void describe('STORE arguments', () => {
  void test('FLAGS, +FLAGS, -FLAGS and .SILENT', () => {
    assert.deepEqual(store('1:3 FLAGS (\\Seen)'), { set: { ranges: [{ start: 1, end: 3 }] }, op: 'set', silent: false, flags: ['\\Seen'] });
    assert.deepEqual(store('1 +FLAGS.SILENT (\\seen foo)'), { set: { ranges: [{ start: 1, end: 1 }] }, op: 'add', silent: true, flags: ['\\Seen', 'foo'] });
    assert.equal(store('1 -flags ()').op, 'remove');
    assert.deepEqual(store('1 -flags ()').flags, []);
  });

  void test('flags without parentheses', () => {
    assert.deepEqual(store('* FLAGS \\Seen \\Flagged $Label').flags, ['\\Seen', '\\Flagged', '$Label']);
  });

  void test('\\Recent, unknown system flags and bad syntax are BAD', () => {
    for (const bad of ['1 +FLAGS (\\Recent)', '1 FLAGS \\Foo', '1 FLAGS (\\*)', '1 XFLAGS (a)', '1 FLAGS', '1 FLAGS ', '1 +FLAGS (a', '1 FLAGS.LOUD (a)', 'x FLAGS (a)']) {
      assert.throws(() => store(bad), DecodeError, bad);
    }
  });
});

void describe('COPY arguments', () => {
  void test('set and mailbox name (modified UTF-7 decoded, INBOX normalized)', () => {
    const copy = (text: string) => parseCopyArgs(new ImapDecoder(Buffer.from(' ' + text)));
    assert.deepEqual(copy('2:4 "Saved Items"'), { set: { ranges: [{ start: 2, end: 4 }] }, destination: 'Saved Items' });
    assert.equal(copy('1 inbox').destination, 'INBOX');
    assert.equal(copy('1 &AOk-t&AOk-').destination, 'été');
    assert.throws(() => copy('1'), DecodeError);
    assert.throws(() => copy('1 a b'), DecodeError);
  });
});
