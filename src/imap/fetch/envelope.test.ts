import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../../message/index.ts';
import { renderValue } from '../wire/value-encoder.ts';
import { envelopeValue } from './envelope.ts';
import { bodyStructureValue } from './bodystructure.ts';
import { run } from '../protocol/values.ts';
import { humanString, nstring } from './imap-string.ts';

const crlf = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'latin1');
const render = (v: Parameters<typeof renderValue>[0]): string => renderValue(v).toString('latin1');

describe('imap strings', () => {
  test('nstring keeps octets: UTF-8 as string, other 8-bit as literal', () => {
    assert.equal(render(nstring(null)), 'NIL');
    assert.equal(render(nstring('plain')), '"plain"');
    assert.equal(render(nstring('caf\xc3\xa9')), '{5}\r\ncaf\xc3\xa9');
    assert.equal(renderValue(nstring('caf\xc3\xa9'), { utf8: true }).toString('utf8'), '"café"');
    assert.equal(render(nstring('caf\xe9')), '{4}\r\ncaf\xe9');
  });

  test('humanString collapses whitespace and uses a literal when it changed the text', () => {
    assert.equal(render(humanString('Hello world')), '"Hello world"');
    assert.equal(render(humanString('a\r\n\tb  c ')), '{5}\r\na b c');
    assert.equal(render(humanString('say "hi"')), '{8}\r\nsay "hi"');
    assert.equal(render(humanString('   ')), '""');
  });

  test('a run writes items with no separator, whatever their bytes', () => {
    assert.equal(render([run([['a', null], ['b', 1]]), 'x']), '(("a" NIL)("b" 1) "x")');
    // Not valid UTF-8 (fixture 079's shape): still no separator.
    assert.equal(render([run([[nstring('\xe9')], ['b']])]), '(({1}\r\n\xe9)("b"))');
  });
});

describe('envelope and body structure', () => {
  const raw = crlf(`Date: Mon, 1 Apr 2024 10:00:00 +0000
Subject: =?UTF-8?Q?caf=C3=A9?=
From: "Doe, Jane" <jane@example.com>, Team: a@b.c, <@r1,@r2:x@y.z>;
To: nodomain, <>
Message-ID: <id@example.com>
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain; charset=utf-8

hi
--b
Content-Type: message/rfc822

Subject: inner

body
--b--
`);
  const meta = parseMessage(raw);

  test('ENVELOPE follows RFC 3501 section 7.4.2', () => {
    assert.equal(
      render(envelopeValue(meta)),
      '("Mon, 1 Apr 2024 10:00:00 +0000" "=?UTF-8?Q?caf=C3=A9?=" ' +
        '(("Doe, Jane" NIL "jane" "example.com")(NIL NIL "Team" NIL)(NIL NIL "a" "b.c")(NIL "@r1,@r2" "x" "y.z")(NIL NIL NIL NIL)) ' +
        '(("Doe, Jane" NIL "jane" "example.com")(NIL NIL "Team" NIL)(NIL NIL "a" "b.c")(NIL "@r1,@r2" "x" "y.z")(NIL NIL NIL NIL)) ' +
        '(("Doe, Jane" NIL "jane" "example.com")(NIL NIL "Team" NIL)(NIL NIL "a" "b.c")(NIL "@r1,@r2" "x" "y.z")(NIL NIL NIL NIL)) ' +
        '((NIL NIL "nodomain" "MISSING_DOMAIN")(NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN")) NIL NIL NIL "<id@example.com>")',
    );
  });

  test('BODY and BODYSTRUCTURE', () => {
    assert.equal(
      render(bodyStructureValue(meta, false)),
      '(("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 2 0)("message" "rfc822" NIL NIL NIL "7bit" 22 ' +
        '(NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 4 0) 2) "mixed")',
    );
    assert.equal(
      render(bodyStructureValue(meta, true)),
      '(("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 2 0 NIL NIL NIL NIL)("message" "rfc822" NIL NIL NIL "7bit" 22 ' +
        '(NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 4 0 NIL NIL NIL NIL) 2 NIL NIL NIL NIL) ' +
        '"mixed" ("boundary" "b") NIL NIL NIL)',
    );
  });
});
