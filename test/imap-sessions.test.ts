/**
 * Many sessions, one mailbox (issue 3 point 3): changes made elsewhere reach a session as EXISTS,
 * EXPUNGE and FETCH FLAGS only when RFC 3501 5.2 / 5.5 / 7.4.1 allow; `*` stays the client's own last
 * message while expunges are held back; \Recent goes to one session.
 */
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { atom } from '../src/imap/protocol/values.ts';
import type { CommandSpec } from '../src/imap/commands/types.ts';
import { RawClient, startServer, type TestServer } from './transcripts/harness.ts';

interface SeqArgs {
  readonly set: import('../src/imap/wire/sequence-set.ts').SequenceSet;
}

/**
 * A FETCH stand-in with FETCH's table entry (expunge: 'defer'): `XSEQ set` answers `* n XSEQ uid` for
 * each addressed message, so the test does not depend on the FETCH implementation.
 */
const xseq: CommandSpec<SeqArgs> = {
  name: 'XSEQ',
  states: ['selected'],
  expunge: 'defer',
  parse(dec) {
    dec.sp();
    const set = dec.sequenceSet();
    dec.end();
    return { set };
  },
  async run(ctx, args) {
    const sel = ctx.selected;
    if (!sel) return;
    for (const uid of sel.resolve(args.set, false)) await ctx.out.untagged(sel.seqOf(uid), atom('XSEQ'), uid);
  },
};

/** An IDLE stand-in (RFC 2177 shape) built only on CommandContext: continuation, onUpdate, flushUpdates. */
const xidle: CommandSpec<void> = {
  name: 'XIDLE',
  states: ['selected'],
  expunge: 'allow',
  parse(dec) {
    dec.end();
  },
  async run(ctx) {
    const stop = ctx.onUpdate(() => void ctx.flushUpdates());
    try {
      const line = await ctx.continuation('idling');
      if (line.toString().toUpperCase() !== 'DONE') return { status: 'BAD', text: 'Expected DONE' };
      return { text: 'Idle completed.' };
    } finally {
      stop();
    }
  },
};

const MSG = 'Subject: x\r\n\r\nbody\r\n';

describe('concurrent sessions', () => {
  let srv: TestServer;
  let a: RawClient;
  let b: RawClient;

  beforeEach(async () => {
    srv = await startServer();
    srv.server.enable({ name: 'XSEQ', commands: [xseq, xidle] });
    a = await RawClient.connect(srv.port);
    b = await RawClient.connect(srv.port);
    await a.line();
    await b.line();
    await a.command('a0', 'LOGIN alice password');
    await b.command('b0', 'LOGIN alice password');
    const user = await srv.backend.login('alice', 'password', { protocol: 'test', secure: true });
    await user.append('INBOX', [1, 2, 3].map(() => ({ content: Buffer.from(MSG) })));
    await user.close();
  });

  afterEach(async () => {
    a.end();
    b.end();
    await srv.close();
  });

  test('EXPUNGE is held back during a FETCH-like command and * stays the client\'s last message', async () => {
    await a.command('a1', 'SELECT INBOX');
    await b.command('b1', 'SELECT INBOX');
    await b.command('b2', 'APPEND INBOX (\\Deleted) {' + MSG.length + '+}\r\n' + MSG);
    // b deletes message 4 (just appended, \Deleted) and also gets its own EXPUNGE.
    assert.deepEqual(await b.command('b3', 'EXPUNGE'), ['* 4 EXPUNGE', 'b3 OK Expunge completed.']);
    // a has not been told about message 4 at all (appended and expunged between its commands).
    assert.deepEqual(await a.command('a2', 'XSEQ *'), ['* 3 XSEQ 3', 'a2 OK XSEQ completed']);

    const user = await srv.backend.login('alice', 'password', { protocol: 'test', secure: true });
    const other = await user.openMailbox('INBOX', { readOnly: false, onChange: () => {} });
    await other.storeFlags([1], { op: 'add', flags: ['\\Deleted'] });
    await other.storeFlags([3], { op: 'add', flags: ['\\Seen'] });
    assert.deepEqual(await b.command('b4', 'EXPUNGE'), ['* 1 EXPUNGE', '* 2 FETCH (FLAGS (\\Seen))', 'b4 OK Expunge completed.']);
    await other.close();
    await user.close();

    // During the FETCH-like command: flag change yes, EXPUNGE no; message 1 still answers and * is 3.
    // (The flag change of message 1 is dropped: its EXPUNGE is already queued.)
    assert.deepEqual(await a.command('a3', 'XSEQ 1,*'), [
      '* 1 XSEQ 1',
      '* 3 XSEQ 3',
      '* 3 FETCH (FLAGS (\\Seen \\Recent))',
      'a3 OK XSEQ completed',
    ]);
    // The next command that allows it delivers the EXPUNGE; * is now 2.
    assert.deepEqual(await a.command('a4', 'NOOP'), ['* 1 EXPUNGE', 'a4 OK NOOP completed.']);
    assert.deepEqual(await a.command('a5', 'XSEQ *'), ['* 2 XSEQ 3', 'a5 OK XSEQ completed']);
    assert.deepEqual(await a.command('a6', 'XSEQ 3'), ['a6 BAD [CLIENTBUG] Invalid message sequence number']);
  });

  test('another session\'s flag changes arrive as FETCH FLAGS; a new keyword as FLAGS first', async () => {
    await a.command('a1', 'SELECT INBOX');
    const user = await srv.backend.login('alice', 'password', { protocol: 'test', secure: true });
    const other = await user.openMailbox('INBOX', { readOnly: false, onChange: () => {} });
    await other.storeFlags([2], { op: 'add', flags: ['\\Seen', '$Work'] });
    await other.close();
    await user.close();
    assert.deepEqual(await a.command('a2', 'NOOP'), [
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)',
      '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)] Flags permitted.',
      '* 2 FETCH (FLAGS (\\Seen \\Recent $Work))',
      'a2 OK NOOP completed.',
    ]);
  });

  test('own flag changes are not echoed by the tracker (STORE reports them itself)', async () => {
    await a.command('a1', 'SELECT INBOX');
    const sessionMailbox = srv.server.connections().find((c) => c.mailbox)?.mailbox;
    assert.ok(sessionMailbox);
    await sessionMailbox.storeFlags([1], { op: 'add', flags: ['\\Flagged'] });
    assert.deepEqual(await a.command('a2', 'NOOP'), ['a2 OK NOOP completed.']);
  });

  test('\\Recent goes to exactly one session; EXAMINE does not take it', async () => {
    const ex = await a.command('a1', 'EXAMINE INBOX');
    assert.ok(ex.includes('* 3 RECENT'), ex.join('\n'));
    const sel = await b.command('b1', 'SELECT INBOX');
    assert.ok(sel.includes('* 3 RECENT'), sel.join('\n'));
    const again = await a.command('a2', 'SELECT INBOX');
    assert.ok(again.includes('* 0 RECENT'), again.join('\n'));
    await b.command('b2', 'APPEND INBOX {' + MSG.length + '+}\r\n' + MSG);
    assert.deepEqual(await a.command('a3', 'NOOP'), ['* 4 EXISTS', '* 0 RECENT', 'a3 OK NOOP completed.']);
    assert.deepEqual(await b.command('b3', 'NOOP'), ['b3 OK NOOP completed.']);
  });

  test('an IDLE-like command gets EXISTS and EXPUNGE pushed while it waits', async () => {
    await a.command('a1', 'SELECT INBOX');
    a.send('a2 XIDLE');
    assert.equal(await a.line(), '+ idling');
    await b.command('b1', 'APPEND INBOX (\\Deleted) {' + MSG.length + '+}\r\n' + MSG);
    assert.equal(await a.line(), '* 4 EXISTS');
    assert.equal(await a.line(), '* 4 RECENT');
    await b.command('b2', 'SELECT INBOX');
    await b.command('b3', 'EXPUNGE');
    assert.equal(await a.line(), '* 4 EXPUNGE');
    a.send('DONE');
    assert.equal(await a.line(), 'a2 OK Idle completed.');
  });

  test('deleting the selected mailbox elsewhere ends the session with BYE', async () => {
    await a.command('a1', 'CREATE Temp');
    await a.command('a2', 'SELECT Temp');
    await b.command('b1', 'DELETE Temp');
    a.send('a3 NOOP');
    assert.equal(await a.line(), '* BYE Selected mailbox was deleted, have to disconnect.');
    assert.equal(await a.line(), null);
  });
});
