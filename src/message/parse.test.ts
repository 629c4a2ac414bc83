import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage, encodeMeta, decodeMeta, MAX_MIME_DEPTH } from './index.ts';

const crlf = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'latin1');

const MULTI = crlf(`From: a@example.com
Subject: hi
Content-Type: multipart/mixed; boundary="b1"

preamble
--b1
Content-Type: text/plain; charset=utf-8

hello
--b1
Content-Type: message/rfc822

Subject: inner
From: x@y

inner body
--b1--
epilogue
`);

describe('parseMessage', () => {
  test('simple message offsets', () => {
    const raw = crlf('Subject: x\n\nline1\nline2\n');
    const m = parseMessage(raw);
    assert.equal(m.size, raw.length);
    assert.equal(m.root.bodyStart, 'Subject: x\r\n\r\n'.length);
    assert.equal(m.root.bodyEnd, raw.length);
    assert.equal(m.root.lines, 2);
    assert.equal(parseMessage(crlf('Subject: x\n\nline1\nline2')).root.lines, 1);
    assert.equal(m.header.toString(), 'Subject: x\r\n\r\n');
    assert.equal(m.envelope.subject, 'x');
    assert.equal(m.root.type, 'text');
    assert.equal(m.root.explicitType, false);
  });

  test('multipart with nested message', () => {
    const m = parseMessage(MULTI);
    assert.equal(m.root.kind, 'multipart');
    assert.equal(m.root.children.length, 2);
    const [p1, p2] = m.root.children;
    assert.equal(MULTI.subarray(p1.bodyStart, p1.bodyEnd).toString(), 'hello');
    assert.equal(p1.params[0][1], 'utf-8');
    assert.equal(p2.kind, 'message');
    assert.equal(p2.message?.envelope.subject, 'inner');
    assert.equal(MULTI.subarray(p2.message.body.bodyStart, p2.message.body.bodyEnd).toString(), 'inner body');
  });

  test('boundary that is a prefix of another', () => {
    const raw = crlf(`Content-Type: multipart/mixed; boundary="ab"

--ab
Content-Type: multipart/alternative; boundary="abc"

--abc

one
--abc

two
--abc--
--ab

three
--ab--
`);
    const m = parseMessage(raw);
    assert.equal(m.root.children.length, 2);
    assert.equal(m.root.children[0].children.length, 2);
    assert.equal(raw.subarray(m.root.children[1].bodyStart, m.root.children[1].bodyEnd).toString(), 'three');
  });

  test('missing final boundary, bare LF, header only', () => {
    const raw = Buffer.from('Content-Type: multipart/mixed; boundary=x\n\n--x\n\nA\n--x\n\nB\n');
    const m = parseMessage(raw);
    assert.equal(m.root.children.length, 2);
    assert.equal(raw.subarray(m.root.children[1].bodyStart, m.root.children[1].bodyEnd).toString(), 'B\n');
    const h = parseMessage(Buffer.from('Subject: only\r\nFrom: a@b'));
    assert.equal(h.root.bodyStart, h.size);
    assert.equal(h.envelope.from, 'a@b');
  });

  test('deep nesting becomes opaque at the limit', () => {
    let raw = 'Content-Type: text/plain\r\n\r\nleaf\r\n';
    for (let i = 0; i < MAX_MIME_DEPTH + 20; i++) raw = `Content-Type: message/rfc822\r\n\r\n${raw}`;
    const m = parseMessage(Buffer.from(raw));
    let depth = 0;
    let p = m.root;
    while (p.message !== null) { p = p.message.body; depth++; }
    assert.equal(depth, MAX_MIME_DEPTH - 1);
    // Not walked: a leaf keeping its declared type (BODYSTRUCTURE shows application/octet-stream).
    assert.equal(p.kind, 'leaf');
    assert.equal(`${p.type}/${p.subtype}`, 'message/rfc822');
  });

  test('record round trip and corruption', () => {
    const m = parseMessage(MULTI);
    const bytes = encodeMeta(m);
    assert.deepEqual(decodeMeta(bytes), m);
    assert.ok(bytes.length < MULTI.length * 2);
    assert.throws(() => decodeMeta(bytes.subarray(0, bytes.length - 3)), /corrupt MessageMeta/);
    assert.throws(() => decodeMeta(Buffer.from('nonsense')), /corrupt MessageMeta/);
  });

  test('8-bit header octets survive the record', () => {
    const raw = Buffer.concat([Buffer.from('Subject: '), Buffer.from([0xe9, 0xff]), Buffer.from('\r\n\r\nx')]);
    const m = decodeMeta(encodeMeta(parseMessage(raw)));
    assert.deepEqual(Buffer.from(m.envelope.subject!, 'latin1'), Buffer.from([0xe9, 0xff]));
  });
});
