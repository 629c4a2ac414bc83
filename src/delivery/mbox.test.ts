import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { countMbox, looksLikeMbox, MboxSplitter, parseFromLine, readMbox, type MboxMessage } from './mbox.ts';

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/import/sample.mboxrd', import.meta.url));

function split(input: Buffer, format: 'mboxrd' | 'mboxo' = 'mboxrd', chunk = input.length): MboxMessage[] {
  const s = new MboxSplitter(format);
  const out: MboxMessage[] = [];
  for (let i = 0; i < input.length; i += chunk) out.push(...s.push(input.subarray(i, i + chunk)));
  out.push(...s.end());
  return out;
}

void describe('parseFromLine', () => {
  void test('asctime dates, with zone before or after the year, and none', () => {
    assert.equal(parseFromLine('From a@b Sat Nov 21 22:07:07 2026')?.date?.toISOString(), '2026-11-21T22:07:07.000Z');
    assert.equal(parseFromLine('From - Tue Feb 14 09:30:00 +0100 2023')?.date?.toISOString(), '2023-02-14T08:30:00.000Z');
    assert.equal(parseFromLine('From x Mon Jan  2 03:04 2023 -0500')?.date?.toISOString(), '2023-01-02T08:04:00.000Z');
    assert.deepEqual(parseFromLine('From someone'), { sender: 'someone' });
    assert.equal(parseFromLine('From: header'), null);
  });
});

void describe('MboxSplitter', () => {
  void test('the fixture: three messages, mboxrd unquoting, dates, separator blank lines dropped', async () => {
    const messages: MboxMessage[] = [];
    for await (const m of readMbox(FIXTURE)) messages.push(m);
    assert.equal(messages.length, 3);
    assert.equal(await countMbox(FIXTURE), 3);
    assert.equal(await looksLikeMbox(FIXTURE), true);
    const first = messages[0].content.toString();
    assert.ok(first.endsWith('Hello Bob,\r\nFrom the start, quoted once.\r\n>From the deep, quoted twice.\r\n'), first);
    assert.ok(first.startsWith('From: Alice <alice@example.org>\r\n'));
    assert.equal(messages[1].content.toString(), 'From: MAILER-DAEMON@example.org\r\nSubject: second, no Message-ID\r\n\r\nBody of the second message.\r\n');
    assert.equal(messages[1].sender, 'MAILER-DAEMON');
    assert.equal(messages[2].internalDate?.toISOString(), '2023-02-14T08:30:00.000Z');
    assert.ok(messages[2].content.toString().endsWith('\r\n\r\nLast line\r\n'));
  });

  void test('mboxo unquotes only a single >', () => {
    const input = Buffer.from('From a Sat Jan  1 00:00:00 2000\nS: x\n\n>From one\n>>From two\n');
    assert.equal(split(input, 'mboxo')[0].content.toString(), 'S: x\r\n\r\nFrom one\r\n>>From two\r\n');
    assert.equal(split(input, 'mboxrd')[0].content.toString(), 'S: x\r\n\r\nFrom one\r\n>From two\r\n');
  });

  void test('CRLF and LF files give the same messages, whatever the chunking', () => {
    const lf = Buffer.from('From a Sat Jan  1 00:00:00 2000\nA: 1\n\nbody\n\nFrom b Sun Jan  2 00:00:00 2000\nB: 2\n\nx\n');
    const crlf = Buffer.from(lf.toString().replace(/\n/g, '\r\n'));
    const expected = split(lf).map((m) => m.content.toString());
    assert.deepEqual(expected, ['A: 1\r\n\r\nbody\r\n', 'B: 2\r\n\r\nx\r\n']);
    for (const input of [lf, crlf]) {
      for (let chunk = 1; chunk <= input.length; chunk++) {
        assert.deepEqual(split(input, 'mboxrd', chunk).map((m) => m.content.toString()), expected, `chunk ${chunk}`);
      }
    }
  });

  void test('a "From " body line is a separator only after a blank line or with a date', () => {
    const input = Buffer.from('From a Sat Jan  1 00:00:00 2000\nS: 1\n\nline\nFrom here on, no date\n\nFrom b\nS: 2\n\nx\n');
    const messages = split(input);
    assert.equal(messages.length, 2);
    assert.ok(messages[0].content.toString().includes('line\r\nFrom here on, no date\r\n'));
    assert.equal(messages[1].sender, 'b');
    assert.equal(messages[1].internalDate, undefined);
  });

  void test('a generated 1,000-message mbox streams through in small chunks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mbox-'));
    try {
      const parts: string[] = [];
      for (let i = 0; i < 1000; i++) {
        parts.push(`From user${i}@example.org Wed Mar  1 12:00:${String(i % 60).padStart(2, '0')} 2023\n`);
        parts.push(`Message-ID: <${i}@gen>\nSubject: message ${i}\n\nbody ${i}\n>From quoted ${i}\n\n`);
      }
      const path = join(dir, 'big.mbox');
      await writeFile(path, parts.join(''));
      assert.equal(await countMbox(path), 1000);
      let n = 0;
      for await (const m of readMbox(path)) {
        const text = m.content.toString();
        assert.ok(text.startsWith(`Message-ID: <${n}@gen>\r\n`), text);
        assert.ok(text.endsWith(`body ${n}\r\nFrom quoted ${n}\r\n`));
        assert.equal(m.internalDate?.getUTCSeconds(), n % 60);
        n++;
      }
      assert.equal(n, 1000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  void test('property: any messages written as mboxrd read back unchanged, whatever the chunking', () => {
    const line = fc.array(fc.constantFrom('From ', '>', 'From', 'x', ' ', 'a@b', 'Mon Jan  1 00:00:00 2001', ':'), { maxLength: 6 })
      .map((parts) => parts.join(''));
    const message = fc.array(line, { maxLength: 8 });
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 64 }), fc.boolean(), (messages, chunk, crlf) => {
        const eol = crlf ? '\r\n' : '\n';
        const mbox = messages
          .map((lines) => `From sender@x Sat Jan  1 00:00:00 2000${eol}${lines.map((l) => (/^>*From /.test(l) ? `>${l}` : l) + eol).join('')}${eol}`)
          .join('');
        const got = split(Buffer.from(mbox), 'mboxrd', chunk).map((m) => m.content.toString());
        assert.deepEqual(got, messages.map((lines) => lines.map((l) => `${l}\r\n`).join('')));
      }),
      { numRuns: 300 },
    );
  });
});
