import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeMutf7, encodeMutf7, Mutf7Error } from './mutf7.ts';

describe('modified UTF-7', () => {
  test('RFC 3501 5.1.3 examples', () => {
    assert.equal(encodeMutf7('~peter/mail/台北/日本語'), '~peter/mail/&U,BTFw-/&ZeVnLIqe-');
    assert.equal(decodeMutf7('~peter/mail/&U,BTFw-/&ZeVnLIqe-'), '~peter/mail/台北/日本語');
    assert.equal(encodeMutf7('a&b'), 'a&-b');
    assert.equal(decodeMutf7('a&-b'), 'a&b');
    assert.equal(encodeMutf7('Entwürfe'), 'Entw&APw-rfe');
    assert.equal(decodeMutf7('Entw&APw-rfe'), 'Entwürfe');
  });

  test('astral characters go through surrogate pairs', () => {
    const name = 'mail 📬';
    assert.equal(decodeMutf7(encodeMutf7(name)), name);
  });

  test('refuses what Dovecot refuses', () => {
    const bad = [
      '&Jjo', // unterminated
      '&Jjo!-', // bad base64 char
      '&AGE-', // encodes "a", printable ASCII
      '&U,BTFw-&ZeVnLIqe-', // two shift sequences back to back
      '&U,BTF2-', // non-zero padding bits
      '&U,B-', // partial UTF-16 unit
      '&2D0-', // lone high surrogate (partial bits too)
      '&2D3cTQ-'.replace('cTQ', 'AAA'), // high surrogate followed by non-surrogate
      'caf\u00e9', // 8-bit byte in a mUTF-7 name
      'tab\there',
    ];
    for (const name of bad) assert.throws(() => decodeMutf7(name), Mutf7Error, name);
  });

  test('round trip for any string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (s) => {
        assert.equal(decodeMutf7(encodeMutf7(s)), s);
      }),
    );
  });
});
