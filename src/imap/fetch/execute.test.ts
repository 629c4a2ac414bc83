import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { createMemoryBackend } from '../../store/memory/index.ts';
import type { Mailbox } from '../../store/types.ts';
import type { ResponseWriter, SelectedView } from '../commands/types.ts';
import { renderValue } from '../wire/value-encoder.ts';
import { ImapDecoder } from '../wire/decoder.ts';
import { selectFromSorted } from '../wire/sequence-set.ts';
import { BINARY_STREAM_THRESHOLD, executeFetch, STREAM_THRESHOLD } from './execute.ts';
import { buildFetchPlan, fetchAttList } from './plan.ts';

const MSG1 = Buffer.from(
  'From: Alice <alice@example.com>\r\nTo: Bob <bob@example.com>\r\nSubject: hello\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <1@x>\r\n\r\nHello world\r\nline two\r\n',
);
const MSG2 = Buffer.from(
  'From: Carol <c@example.com>\r\nSubject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nfirst\r\n--XX\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAwQFBgc=\r\n--XX\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-unknown\r\n\r\nodd\r\n--XX--\r\n',
);

/** Collects everything written; records whether streams were used. */
class Collector implements ResponseWriter {
  chunks: Buffer[] = [];
  streams = 0;
  untagged(...values: Parameters<ResponseWriter['untagged']>): Promise<void> {
    this.chunks.push(Buffer.from('* '), ...values.map((v) => renderValue(v)), Buffer.from('\r\n'));
    return Promise.resolve();
  }
  status(): Promise<void> {
    return Promise.reject(new Error('not used'));
  }
  raw(bytes: Buffer): Promise<void> {
    this.chunks.push(Buffer.from(bytes));
    return Promise.resolve();
  }
  async stream(source: Readable): Promise<void> {
    this.streams++;
    for await (const chunk of source) this.chunks.push(Buffer.from(chunk as Buffer));
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }
}

function view(mailbox: Mailbox, readOnly = false): SelectedView {
  const uids = [...mailbox.snapshot.uids];
  return {
    mailbox,
    readOnly,
    exists: uids.length,
    uidAt: (seq) => uids[seq - 1],
    seqOf: (uid) => uids.indexOf(uid) + 1,
    resolve: (set) => selectFromSorted(set, uids),
    isRecent: (uid) => uid === 1,
    savedSearch: [],
  };
}

async function setup(messages: Buffer[], flags: string[][] = []) {
  const backend = createMemoryBackend({ users: { alice: 'password' } });
  const user = await backend.login('alice', 'password', { protocol: 'imap', secure: true });
  await user.append(
    'INBOX',
    messages.map((content, i) => ({ content, flags: flags[i] ?? [], internalDate: new Date(Date.UTC(2001, 8, 9, 1, 46, 40)) })),
  );
  const mailbox = await user.openMailbox('INBOX', { readOnly: false, onChange: () => {} });
  return { backend, user, mailbox };
}

async function fetch(v: SelectedView, atts: string, uids: number[], uid = false) {
  const d = new ImapDecoder(Buffer.from(atts));
  const plan = buildFetchPlan(fetchAttList(d), { uid });
  const out = new Collector();
  const outcome = await executeFetch(v, out, plan, uids, { utf8: false });
  return { text: out.text(), outcome, streams: out.streams };
}

void describe('FETCH executor', () => {
  void test('simple items, \\Recent from the view, INTERNALDATE format', async () => {
    const { mailbox } = await setup([MSG1, MSG2], [[], ['\\Flagged']]);
    const r = await fetch(view(mailbox), 'FAST', [1, 2]);
    assert.equal(
      r.text,
      `* 1 FETCH (FLAGS (\\Recent) INTERNALDATE "09-Sep-2001 01:46:40 +0000" RFC822.SIZE ${MSG1.length})\r\n` +
        `* 2 FETCH (FLAGS (\\Flagged) INTERNALDATE "09-Sep-2001 01:46:40 +0000" RFC822.SIZE ${MSG2.length})\r\n`,
    );
    assert.deepEqual(r.outcome, { missing: 0 });
  });

  void test('UID FETCH answers UID first', async () => {
    const { mailbox } = await setup([MSG1]);
    const r = await fetch(view(mailbox), '(FLAGS)', [1], true);
    assert.equal(r.text, '* 1 FETCH (UID 1 FLAGS (\\Recent))\r\n');
  });

  void test('SAVEDATE, EMAILID, THREADID from the record; \\Recent left out when asked (IMAP4rev2)', async () => {
    const { mailbox } = await setup([MSG1]);
    const [rec] = await mailbox.fetch([1]);
    const d = new ImapDecoder(Buffer.from('(FLAGS SAVEDATE EMAILID THREADID)'));
    const plan = buildFetchPlan(fetchAttList(d), { uid: false });
    const out = new Collector();
    await executeFetch(view(mailbox), out, plan, [1], { utf8: false, recent: false });
    const m = /^\* 1 FETCH \(FLAGS \(\) SAVEDATE "(\d\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d [+-]\d{4})" EMAILID \((.+)\) THREADID \((.+)\)\)\r\n$/.exec(out.text());
    assert.ok(m, out.text());
    assert.equal(m[2], rec.emailId);
    assert.equal(m[3], rec.threadId);
    assert.equal(Math.abs(new Date(m[1].replace(/^(\d\d)-(\w+)-(\d+) /, '$2 $1 $3 ')).getTime() - rec.saveDate.getTime()) < 1000, true);
  });

  void test('BODY.PEEK sections, partials, HEADER.FIELDS; no \\Seen', async () => {
    const { mailbox } = await setup([MSG1]);
    const v = view(mailbox);
    assert.equal((await fetch(v, 'BODY.PEEK[]<0.5>', [1])).text, '* 1 FETCH (BODY[]<0> {5}\r\nFrom:)\r\n');
    assert.equal((await fetch(v, 'BODY.PEEK[]<1000.5>', [1])).text, '* 1 FETCH (BODY[]<1000> {0}\r\n)\r\n');
    assert.equal((await fetch(v, 'BODY.PEEK[TEXT]<2.100>', [1])).text, '* 1 FETCH (BODY[TEXT]<2> {21}\r\nllo world\r\nline two\r\n)\r\n');
    assert.equal(
      (await fetch(v, 'BODY.PEEK[HEADER.FIELDS (subject from)]', [1])).text,
      '* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT FROM)] {51}\r\nFrom: Alice <alice@example.com>\r\nSubject: hello\r\n\r\n)\r\n',
    );
    assert.equal((await fetch(v, 'RFC822.HEADER', [1])).text.split('\r\n')[0], '* 1 FETCH (RFC822.HEADER {135}');
    const [rec] = await mailbox.fetch([1]);
    assert.deepEqual(rec.flags, []);
  });

  void test('a non-PEEK section sets \\Seen and adds FLAGS once', async () => {
    const { mailbox } = await setup([MSG1]);
    const v = view(mailbox);
    assert.equal((await fetch(v, 'BODY[TEXT]', [1])).text, '* 1 FETCH (FLAGS (\\Seen \\Recent) BODY[TEXT] {23}\r\nHello world\r\nline two\r\n)\r\n');
    assert.equal((await fetch(v, 'BODY[TEXT]', [1])).text, '* 1 FETCH (BODY[TEXT] {23}\r\nHello world\r\nline two\r\n)\r\n');
    const [rec] = await mailbox.fetch([1]);
    assert.deepEqual(rec.flags, ['\\Seen']);
  });

  void test('UID FETCH RFC822 sets \\Seen: FLAGS goes after UID', async () => {
    const { mailbox } = await setup([MSG1]);
    const r = await fetch(view(mailbox), 'RFC822', [1], true);
    assert.equal(r.text, `* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent) RFC822 {${MSG1.length}}\r\n${MSG1.toString('latin1')})\r\n`);
  });

  void test('read-only mailboxes never get \\Seen', async () => {
    const { mailbox } = await setup([MSG1]);
    const r = await fetch(view(mailbox, true), 'BODY[TEXT]', [1]);
    assert.equal(r.text, '* 1 FETCH (BODY[TEXT] {23}\r\nHello world\r\nline two\r\n)\r\n');
    const [rec] = await mailbox.fetch([1]);
    assert.deepEqual(rec.flags, []);
  });

  void test('BINARY and BINARY.SIZE decode; NUL makes a literal8', async () => {
    const { mailbox } = await setup([MSG2]);
    const v = view(mailbox);
    const r = await fetch(v, '(BINARY.PEEK[2] BINARY.SIZE[2] BINARY.PEEK[1]<1.2> BINARY.PEEK[9])', [1]);
    assert.equal(
      r.text,
      '* 1 FETCH (BINARY[2] ~{8}\r\n\x00\x01\x02\x03\x04\x05\x06\x07 BINARY.SIZE[2] 8 BINARY[1]<1> {2}\r\nir BINARY[9] {0}\r\n)\r\n',
    );
  });

  void test('an unknown transfer encoding fails before anything of that message is written', async () => {
    const { mailbox } = await setup([MSG2]);
    const out = new Collector();
    const plan = buildFetchPlan(fetchAttList(new ImapDecoder(Buffer.from('(UID BINARY.PEEK[3])'))), { uid: false });
    await assert.rejects(executeFetch(view(mailbox), out, plan, [1], { utf8: false }), { name: 'UnknownCteError' });
    assert.equal(out.text(), '');
  });

  void test('ENVELOPE, BODY and BODYSTRUCTURE come from the metadata', async () => {
    const { mailbox } = await setup([MSG1]);
    const r = await fetch(view(mailbox), '(ENVELOPE BODY)', [1]);
    assert.equal(
      r.text,
      '* 1 FETCH (ENVELOPE ("Mon, 7 Feb 1994 21:52:25 -0800" "hello" (("Alice" NIL "alice" "example.com")) (("Alice" NIL "alice" "example.com")) (("Alice" NIL "alice" "example.com")) (("Bob" NIL "bob" "example.com")) NIL NIL NIL "<1@x>") BODY ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 23 2))\r\n',
    );
  });

  void test('large literals are streamed, and partial windows of them too', async () => {
    const big = Buffer.concat([Buffer.from('Subject: big\r\n\r\n'), Buffer.alloc(STREAM_THRESHOLD + 10, 0x61)]);
    const { mailbox } = await setup([big]);
    const r = await fetch(view(mailbox), 'BODY.PEEK[]', [1]);
    assert.equal(r.streams, 1);
    assert.equal(r.text, `* 1 FETCH (BODY[] {${big.length}}\r\n${big.toString('latin1')})\r\n`);
    const p = await fetch(view(mailbox), 'BODY.PEEK[TEXT]<5.300000>', [1]);
    assert.equal(p.streams, 1);
    assert.equal(p.text, `* 1 FETCH (BODY[TEXT]<5> {${STREAM_THRESHOLD + 5}}\r\n${'a'.repeat(STREAM_THRESHOLD + 5)})\r\n`);
  });

  void test('BINARY of a part over BINARY_STREAM_THRESHOLD is decoded as a stream', async () => {
    const raw = Buffer.alloc(BINARY_STREAM_THRESHOLD, 0x41);
    raw[10] = 0; // NUL early: literal8 for the whole part, a plain literal for a window after it
    const b64 = raw.toString('base64').replace(/(.{76})/g, '$1\r\n');
    const msg = Buffer.from(
      `Subject: att\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n--B--\r\n`,
    );
    const { mailbox } = await setup([msg]);
    const r = await fetch(view(mailbox), '(BINARY.SIZE[1] BINARY.PEEK[1] BINARY.PEEK[1]<100.5>)', [1]);
    assert.equal(r.streams, 2);
    assert.equal(
      r.text,
      `* 1 FETCH (BINARY.SIZE[1] ${raw.length} BINARY[1] ~{${raw.length}}\r\n${raw.toString('latin1')} BINARY[1]<100> {5}\r\nAAAAA)\r\n`,
    );
  });

  void test('messages expunged by another session are counted as missing', async () => {
    const { user, mailbox } = await setup([MSG1, MSG2]);
    const v = view(mailbox);
    const other = await user.openMailbox('INBOX', { readOnly: false, onChange: () => {} });
    await other.storeFlags([1], { op: 'add', flags: ['\\Deleted'] });
    await other.expunge();
    const r = await fetch(v, '(UID BODY.PEEK[HEADER])', [1, 2]);
    assert.equal(r.outcome.missing, 1);
    assert.match(r.text, /^\* 2 FETCH \(UID 2 BODY\[HEADER\] \{/);
  });

  void test('pages of UIDs: many messages, one response each', async () => {
    const msgs = Array.from({ length: 2500 }, (_, i) => Buffer.from(`Subject: ${i}\r\n\r\nbody ${i}\r\n`));
    const { mailbox } = await setup(msgs);
    const uids = [...mailbox.snapshot.uids];
    const r = await fetch(view(mailbox), '(UID)', uids);
    const lines = r.text.trimEnd().split('\r\n');
    assert.equal(lines.length, 2500);
    assert.equal(lines[2499], '* 2500 FETCH (UID 2500)');
  });
});
