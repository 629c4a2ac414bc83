import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../../message/index.ts';
import { encodeBinaryParts } from './append-binary.ts';

test('a message without binary parts is returned unchanged', () => {
  const raw = Buffer.from('Subject: x\r\nContent-Transfer-Encoding: 8bit\r\n\r\nh\xe9llo\r\n', 'latin1');
  assert.equal(encodeBinaryParts(raw), raw);
});

test('a binary leaf inside a multipart becomes base64; other parts and boundaries stay byte for byte', () => {
  const payload = Buffer.from([0, 0, 10, 13, 1, 255]);
  const raw = Buffer.concat([
    Buffer.from(
      'Subject: m\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n' +
        '--b\r\nContent-Type: application/x\r\nContent-Transfer-Encoding:\r\n  BINARY\r\nX-After: 1\r\n\r\n',
    ),
    payload,
    Buffer.from('\r\n--b--\r\n'),
  ]);
  const out = encodeBinaryParts(raw);
  assert.equal(
    out.toString('latin1'),
    'Subject: m\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n' +
      '--b\r\nContent-Type: application/x\r\nContent-Transfer-Encoding: base64\r\nX-After: 1\r\n\r\nAAAKDQH/\r\n--b--\r\n',
  );
  const part = parseMessage(out).root.children[1];
  assert.equal(part.encoding, 'base64');
  assert.deepEqual(Buffer.from(out.toString('latin1', part.bodyStart, part.bodyEnd), 'base64'), payload);
});

test('long binary bodies are split into 76-character base64 lines', () => {
  const payload = Buffer.alloc(200, 0);
  const raw = Buffer.concat([Buffer.from('Content-Transfer-Encoding: binary\r\n\r\n'), payload]);
  const body = encodeBinaryParts(raw).toString('latin1').split('\r\n\r\n')[1];
  const lines = body.split('\r\n').filter((l) => l !== '');
  assert.ok(lines.every((l) => l.length <= 76));
  assert.deepEqual(Buffer.from(lines.join(''), 'base64'), payload);
});
