/**
 * LMTP integration: a real LmtpServer on 127.0.0.1:0 over the memory store, driven by nodemailer in LMTP mode
 * and by a raw socket for exact reply lines.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { parseMessage } from '../src/message/index.ts';
import type { MessageMeta } from '../src/message/types.ts';
import { StoreError } from '../src/store/errors.ts';
import type { Backend, User } from '../src/store/types.ts';
import { createMemoryBackend, type MemoryBackend } from '../src/store/memory/index.ts';
import { LmtpServer, type LmtpDeliveryEvent } from '../src/lmtp/index.ts';
import { RawClient } from './transcripts/harness.ts';

/** A member of `target`, methods bound to it (a Proxy passes itself as `this` otherwise). */
function bindOwn(target: User, key: keyof User): unknown {
  const value: unknown = Reflect.get(target, key);
  return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
}

const cli = { protocol: 'cli', secure: false } as const;

async function inbox(backend: MemoryBackend, account: string): Promise<string[]> {
  const user = (await backend.openUser(account, cli))!;
  const box = await user.openMailbox('INBOX', { readOnly: true, onChange: () => undefined });
  const out: string[] = [];
  for (const uid of box.snapshot.uids) {
    const body = await box.body(uid);
    out.push((await body.read(0, body.size)).toString());
  }
  await box.close();
  await user.close();
  return out;
}

/** A minimal LMTP client: send a command, collect the given number of replies. */
async function transcript(port: number, steps: readonly (readonly [string | null, number])[]): Promise<string[][]> {
  const client = await RawClient.connect(port);
  /** Read one reply (all its continuation lines). */
  const reply = async (): Promise<string[]> => {
    const out: string[] = [];
    for (;;) {
      const line = await client.line();
      if (line === null) throw new Error(`connection closed in a reply; got ${JSON.stringify(out)}`);
      out.push(line);
      if (line[3] !== '-') return out;
    }
  };
  const replies: string[][] = [];
  try {
    for (const [command, count] of steps) {
      if (command !== null) client.send(command);
      for (let i = 0; i < count; i++) replies.push(await reply());
    }
  } finally {
    client.end();
  }
  return replies;
}

void describe('LMTP server', () => {
  let backend: MemoryBackend;
  let server: LmtpServer;
  let port: number;
  let parses = 0;
  const events: LmtpDeliveryEvent[] = [];

  before(async () => {
    backend = createMemoryBackend({ users: { alice: 'pw', bob: 'pw', full: 'pw' } });
    // "full" is over quota: its appends fail the way a store with quotas refuses them.
    const wrapped: Backend = {
      login: (u, p, i) => backend.login(u, p, i),
      openUser: async (name, info) => {
        const user = await backend.openUser(name, info);
        if (user === null || name !== 'full') return user;
        return new Proxy(user, {
          get: (target, key: keyof User) =>
            key === 'append'
              ? () => Promise.reject(new StoreError('overQuota', 'quota exceeded'))
              : bindOwn(target, key),
        });
      },
    };
    server = new LmtpServer({
      backend: wrapped,
      hostname: 'mx.test',
      maxMessageSize: 10_000,
      parse: (raw: Buffer): MessageMeta => (parses++, parseMessage(raw)),
      onDelivery: (event) => events.push(event),
    });
    port = (await server.listen(0, '127.0.0.1')).port;
  });

  after(async () => {
    await server.close();
    await backend.close();
  });

  void test('nodemailer: mixed known and unknown recipients get per-recipient results; parsed once', async () => {
    parses = 0;
    events.length = 0;
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, lmtp: true, ignoreTLS: true });
    try {
      const info = await transport.sendMail({
        envelope: { from: 'sender@example.org', to: ['alice@example.org', 'nobody@example.org', 'bob+lists@example.org', 'full@example.org'] },
        raw: 'From: sender@example.org\r\nTo: alice@example.org\r\nSubject: hello\r\nMessage-ID: <lmtp-1@example.org>\r\n\r\nHi there\r\n',
      });
      assert.deepEqual([...info.accepted].sort(), ['alice@example.org', 'bob+lists@example.org']);
      assert.deepEqual([...info.rejected].sort(), ['full@example.org', 'nobody@example.org']);
      type RcptError = Error & { recipient?: string; responseCode?: number; response?: string };
      const rejectedErrors = (info as { rejectedErrors?: RcptError[] }).rejectedErrors ?? [];
      const errors = new Map(rejectedErrors.map((e) => [e.recipient, e]));
      assert.equal(errors.get('nobody@example.org')?.responseCode, 550);
      assert.match(errors.get('nobody@example.org')?.response ?? '', /^550 5\.1\.1 /);
      assert.equal(errors.get('full@example.org')?.responseCode, 452);
      assert.match(errors.get('full@example.org')?.response ?? '', /^452 4\.2\.2 /);
    } finally {
      transport.close();
    }
    assert.equal(parses, 1, 'one parse for the whole transaction');
    const [alice] = await inbox(backend, 'alice');
    assert.ok(alice.startsWith('Return-Path: <sender@example.org>\r\nDelivered-To: alice@example.org\r\nFrom: sender@example.org\r\n'), alice);
    const [bob] = await inbox(backend, 'bob');
    assert.ok(bob.includes('\r\nDelivered-To: bob+lists@example.org\r\n'));
    assert.deepEqual(events.map((e) => [e.result.recipient, e.result.status]), [
      ['alice@example.org', 'delivered'], ['bob+lists@example.org', 'delivered'], ['full@example.org', 'overQuota'],
    ]);
    assert.equal(events[0].envelopeFrom, 'sender@example.org');
  });

  void test('raw session: LHLO advertises SIZE, RCPT refuses unknown users, one reply per recipient after DATA', async () => {
    const replies = await transcript(port, [
      [null, 1],
      ['LHLO client.test', 1],
      ['MAIL FROM:<>', 1],
      ['RCPT TO:<alice@example.org>', 1],
      ['RCPT TO:<ghost@example.org>', 1],
      ['RCPT TO:<full@example.org>', 1],
      ['RCPT TO:<bob@example.org>', 1],
      ['DATA', 1],
      ['Subject: raw\r\n\r\n..dot-stuffed line\r\n.', 3],
      ['QUIT', 1],
    ]);
    assert.match(replies[0][0], /^220 mx\.test LMTP/);
    assert.ok(replies[1].some((l) => /^250[- ]SIZE 10000$/.test(l)), replies[1].join('|'));
    assert.ok(!replies[1].some((l) => /AUTH|STARTTLS/.test(l)));
    assert.match(replies[3][0], /^250 /);
    assert.equal(replies[4][0], "550 5.1.1 <ghost@example.org> User doesn't exist");
    assert.match(replies[7][0], /^354 /);
    assert.match(replies[8][0], /^250 2\.\d\.\d <alice@example\.org> Saved$/);
    assert.match(replies[9][0], /^452 4\.2\.2 <full@example\.org> Quota exceeded/);
    assert.match(replies[10][0], /^250 2\.\d\.\d <bob@example\.org> Saved$/);
    const bob = await inbox(backend, 'bob');
    assert.equal(bob.at(-1), 'Return-Path: <>\r\nDelivered-To: bob@example.org\r\nSubject: raw\r\n\r\n.dot-stuffed line\r\n');
  });

  void test('an oversized message is refused with 552 5.3.4 and nothing is stored', async () => {
    const before = (await inbox(backend, 'alice')).length;
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, lmtp: true, ignoreTLS: true });
    try {
      const info = await transport.sendMail({
        envelope: { from: 'sender@example.org', to: ['alice@example.org'] },
        raw: `Subject: big\r\n\r\n${'x'.repeat(76).concat('\r\n').repeat(200)}`,
      });
      assert.deepEqual(info.accepted, []);
      assert.deepEqual(info.rejected, ['alice@example.org']);
      assert.match(info.response, /^552 5\.3\.4 /);
    } finally {
      transport.close();
    }
    // Without a SIZE parameter the data itself goes over the limit: one 552 5.3.4 per recipient.
    const replies = await transcript(port, [
      [null, 1], ['LHLO c', 1], ['MAIL FROM:<a@b>', 1], ['RCPT TO:<alice@x.org>', 1], ['RCPT TO:<bob@x.org>', 1], ['DATA', 1],
      [`Subject: big\r\n\r\n${'y'.repeat(76).concat('\r\n').repeat(200)}.`, 2],
    ]);
    assert.match(replies[6][0], /^552 5\.3\.4 /);
    assert.match(replies[7][0], /^552 5\.3\.4 /);
    // A declared size over the limit is refused at MAIL FROM (RFC 1870 section 6.1).
    const declared = await transcript(port, [[null, 1], ['LHLO c', 1], ['MAIL FROM:<a@b> SIZE=20000', 1]]);
    assert.match(declared[2][0], /^552 /);
    assert.equal((await inbox(backend, 'alice')).length, before);
  });
});

void describe('LMTP server in static-password mode', () => {
  void test('unknown recipients are accepted and their accounts created', async () => {
    const backend = createMemoryBackend();
    const server = new LmtpServer({ backend, createMissing: async (name) => (await backend.createAccount(name, 'x'), true) });
    const { port } = await server.listen(0, '127.0.0.1');
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, lmtp: true, ignoreTLS: true });
    try {
      const info = await transport.sendMail({ envelope: { from: 'a@b', to: ['load1@example.org'] }, raw: 'Subject: x\r\n\r\ny\r\n' });
      assert.deepEqual(info.accepted, ['load1@example.org']);
      assert.equal((await inbox(backend, 'load1')).length, 1);
    } finally {
      transport.close();
      await server.close();
    }
  });
});
