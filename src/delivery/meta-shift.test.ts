import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../message/index.ts';
import { traceHeaderBytes } from './headers.ts';
import { prependHeaderToMeta } from './meta-shift.ts';

const crlf = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'utf8');

const samples: Record<string, Buffer> = {
  simple: crlf('From: a@b.example\nTo: c@d.example\nSubject: hi\nMessage-ID: <1@b>\n\nbody\nline 2\n'),
  headerOnly: crlf('Subject: no body\n'),
  emptyHeader: crlf('\nbody without header\n'),
  multipart: crlf(
    'Subject: mp\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="XX"\n\npreamble\n--XX\n' +
      'Content-Type: text/plain; charset=utf-8\n\nhello\n--XX\nContent-Type: message/rfc822\n\n' +
      'Subject: inner\nContent-Type: multipart/alternative; boundary=YY\n\n--YY\n\ninner text\n--YY\n' +
      'Content-Type: text/html\n\n<p>x</p>\n--YY--\n--XX\nContent-Type: application/octet-stream\n' +
      'Content-Transfer-Encoding: base64\n\nAAEC\n--XX--\nepilogue\n',
  ),
};

for (const [name, message] of Object.entries(samples)) {
  void test(`shifted metadata equals a re-parse of the prefixed message (${name})`, () => {
    const prefix = traceHeaderBytes({ envelopeFrom: 'sender@x.example', deliveredTo: 'rcpt+tag@y.example' });
    const shifted = prependHeaderToMeta(parseMessage(message), prefix);
    const reparsed = parseMessage(Buffer.concat([prefix, message]));
    assert.deepEqual(shifted, reparsed);
  });
}

void test('an empty prefix returns the record unchanged', () => {
  const meta = parseMessage(samples.simple);
  assert.equal(prependHeaderToMeta(meta, Buffer.alloc(0)), meta);
});

void test('trace headers: Return-Path with brackets, Delivered-To without, null sender, no injection', () => {
  assert.equal(
    traceHeaderBytes({ envelopeFrom: 'a@b', deliveredTo: '<u@d>' }).toString(),
    'Return-Path: <a@b>\r\nDelivered-To: u@d\r\n',
  );
  assert.equal(traceHeaderBytes({ envelopeFrom: '' }).toString(), 'Return-Path: <>\r\n');
  assert.equal(traceHeaderBytes({}).length, 0);
  assert.equal(
    traceHeaderBytes({ deliveredTo: 'u@d\r\nBcc: evil@x' }).toString(),
    'Delivered-To: u@dBcc: evil@x\r\n',
  );
});
