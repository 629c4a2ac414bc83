import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { atom } from '../protocol/values.ts';
import { encodeContinuation, encodeStatus, encodeUntagged, ResponseEncoder } from './encoder.ts';

describe('response encoder', () => {
  test('chainable untagged data', () => {
    const buf = new ResponseEncoder().untagged().number(3).sp().atom('EXISTS').crlf().toBuffer();
    assert.equal(buf.toString(), '* 3 EXISTS\r\n');
  });

  test('status with response code and list arguments', () => {
    const buf = encodeStatus('*', 'OK', 'Flags permitted.', {
      name: 'PERMANENTFLAGS',
      args: [[atom('\\Seen'), atom('\\*')]],
    });
    assert.equal(buf.toString(), '* OK [PERMANENTFLAGS (\\Seen \\*)] Flags permitted.\r\n');
    assert.equal(encodeStatus('a1', 'NO', 'x', { name: 'TRYCREATE' }).toString(), 'a1 NO [TRYCREATE] x\r\n');
    assert.equal(encodeStatus('a1', 'OK', 'done', { name: 'UIDNEXT', args: [5] }).toString(), 'a1 OK [UIDNEXT 5] done\r\n');
  });

  test('text never carries CR/LF and is never empty', () => {
    assert.equal(encodeStatus('t', 'BAD', 'line1\r\nline2').toString(), 't BAD line1 line2\r\n');
    assert.equal(encodeStatus('t', 'OK', '').toString(), 't OK OK\r\n');
  });

  test('strings: quoted, escaped, literal for CR/LF and 8-bit', () => {
    assert.equal(encodeUntagged([atom('LIST'), [], '/', 'a "b" \\c']).toString(), '* LIST () "/" "a \\"b\\" \\\\c"\r\n');
    assert.equal(encodeUntagged(['a\r\nb']).toString(), '* {4}\r\na\r\nb\r\n');
    assert.equal(encodeUntagged(['é']).toString(), '* {2}\r\né\r\n');
    assert.equal(encodeUntagged(['é'], { utf8: true }).toString(), '* "é"\r\n');
    assert.equal(encodeUntagged([null, 7]).toString(), '* NIL 7\r\n');
  });

  test('continuation', () => {
    assert.equal(encodeContinuation('Ready').toString(), '+ Ready\r\n');
    assert.equal(encodeContinuation('').toString(), '+ \r\n');
  });
});
