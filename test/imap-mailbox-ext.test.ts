/**
 * Mailbox-level extensions against a real listening server (memory store, 127.0.0.1:0), driven by real
 * clients: imapflow (LIST-EXTENDED / LIST-STATUS / SPECIAL-USE through its list(), APPENDUID, STATUS=SIZE),
 * Python's imaplib (LIST-EXTENDED selection and return options, LIST-STATUS, CHILDREN), and a raw client
 * for what the libraries do not send: MULTIAPPEND, APPENDLIMIT, CREATE-SPECIAL-USE, IMAP4rev2's
 * LIST/STATUS/SELECT differences, OBJECTID's MAILBOXID and BINARY's literal8 APPEND. Also the daemon's
 * default special-use mailboxes for new accounts. No timing assertions.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ImapExtension, ImapServerOptions } from '../src/imap/server.ts';
import type { ConnectionView } from '../src/imap/session/config.ts';
import { defaultExtensions } from '../src/imap/extensions/index.ts';
import { imap4rev2Extension } from '../src/imap/extensions/imap4rev2.ts';
import { appendLimitExtension, appendLimitFor } from '../src/imap/extensions/appendlimit.ts';
import { uidSetText } from '../src/imap/commands/append.ts';
import { createDefaultMailboxes, DEFAULT_MAILBOXES } from '../src/daemon/accounts.ts';
import { createMemoryBackend } from '../src/store/memory/index.ts';
import { imapflow, RawClient, startServer, type TestServer } from './transcripts/harness.ts';

const run = promisify(execFile);

/** Capabilities owned by other engineers that some checks here need (added only when not yet default). */
function withCapabilities(names: string[]): ImapExtension[] {
  const base = defaultExtensions({ backend: createMemoryBackend() });
  const view: ConnectionView = { id: '', secure: true, state: 'authenticated', loopback: true, compressed: false };
  const have = new Set(base.flatMap((e) => e.capabilities?.(view) ?? []));
  const extra: ImapExtension[] = [];
  if (!base.some((e) => e.name === imap4rev2Extension.name)) extra.push(imap4rev2Extension);
  for (const name of names) {
    if (!have.has(name)) extra.push({ name: `test-${name}`, capabilities: (c) => (c.state === 'notAuthenticated' ? [] : [name]) });
  }
  return [...base, ...extra];
}

async function server(options: Partial<ImapServerOptions> = {}): Promise<TestServer> {
  return startServer({ extensions: withCapabilities([]), ...options });
}

/** Connect and log in as alice. */
async function login(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  await c.login();
  return c;
}

describe('LIST-EXTENDED, LIST-STATUS, SPECIAL-USE, CHILDREN', () => {
  let srv: TestServer;
  before(async () => {
    srv = await server();
    const c = await login(srv.port);
    for (const cmd of ['CREATE Sent (USE (\\Sent))', 'CREATE Trash (USE (\\Trash))', 'CREATE Work/Notes', 'SUBSCRIBE Sent', 'SUBSCRIBE Work/Notes', 'SUBSCRIBE Old/Gone']) {
      const r = await c.command('c', cmd);
      assert.match(r[r.length - 1], /^c OK/, cmd);
    }
    await c.append('p', 'Sent', 'Subject: one\r\n\r\nbody');
    c.end();
  });
  after(() => srv.close());

  test('imapflow list() gets special uses, subscriptions and inline STATUS', async () => {
    const client = imapflow(srv.port);
    await client.connect();
    try {
      const list = await client.list({ statusQuery: { messages: true, unseen: true } });
      const byPath = new Map(list.map((e) => [e.path, e]));
      assert.deepEqual([...byPath.keys()].sort(), ['INBOX', 'Sent', 'Trash', 'Work', 'Work/Notes']);
      const sent = byPath.get('Sent')!;
      assert.equal(sent.specialUse, '\\Sent');
      assert.equal(sent.specialUseSource, 'extension');
      assert.equal(sent.subscribed, true);
      assert.equal(sent.status?.messages, 1);
      assert.equal(sent.status?.unseen, 1);
      assert.equal(byPath.get('Trash')!.specialUse, '\\Trash');
      assert.ok(!byPath.get('Trash')!.subscribed);
      assert.equal(byPath.get('Work/Notes')!.subscribed, true);
      const status = await client.status('Sent', { messages: true });
      assert.ok(status && status.messages === 1);
    } finally {
      await client.logout();
    }
  });

  test('Python imaplib: selection options, return options, several patterns, LIST-STATUS', async () => {
    const script = `
import imaplib, sys
m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
m.login('alice', 'password')
def lst(*args):
    typ, dat = m._simple_command('LIST', *args)
    typ, dat = m._untagged_response(typ, dat, 'LIST')
    return typ, [d.decode() if isinstance(d, bytes) else repr(d) for d in dat if d is not None]
caps = m.capability()[1][0].decode().split()
print('caps', ' '.join(c for c in sorted(caps) if c in ('LIST-EXTENDED', 'LIST-STATUS', 'SPECIAL-USE', 'CHILDREN')))
print('sub', *lst('(SUBSCRIBED)', '""', '*'))
print('rec', *lst('(SUBSCRIBED RECURSIVEMATCH)', '""', '%', 'RETURN', '(CHILDREN)'))
print('use', *lst('(SPECIAL-USE)', '""', '*'))
print('pat', *lst('""', '(INBOX Work/%)', 'RETURN', '(CHILDREN)'))
typ, dat = m._simple_command('LIST', '""', '(Sent Trash)', 'RETURN', '(STATUS (MESSAGES SIZE))')
print('st', typ, [d.decode() for d in m.untagged_responses.pop('STATUS', [])])
m.logout()
`;
    const { stdout } = await run('python3', ['-c', script, String(srv.port)]);
    const lines = stdout.trim().split('\n');
    assert.deepEqual(lines.slice(0, 6), [
      'caps CHILDREN LIST-EXTENDED LIST-STATUS SPECIAL-USE',
      `sub OK ['(\\\\Subscribed \\\\NonExistent) "/" "Old/Gone"', '(\\\\Subscribed) "/" "Sent"', '(\\\\Subscribed) "/" "Work/Notes"']`,
      `rec OK ['(\\\\NonExistent \\\\HasNoChildren) "/" "Old" (CHILDINFO ("SUBSCRIBED"))', '(\\\\Subscribed \\\\HasNoChildren) "/" "Sent"', '(\\\\HasChildren) "/" "Work" (CHILDINFO ("SUBSCRIBED"))']`,
      `use OK ['(\\\\Sent) "/" "Sent"', '(\\\\Trash) "/" "Trash"']`,
      `pat OK ['(\\\\HasNoChildren) "/" "INBOX"', '(\\\\HasNoChildren) "/" "Work/Notes"']`,
      `st OK ['"Sent" (MESSAGES 1 SIZE 20)', '"Trash" (MESSAGES 0 SIZE 0)']`,
    ]);
  });

  test('RECURSIVEMATCH alone and unknown options are BAD; unadvertised options are refused', async () => {
    const c = await login(srv.port);
    assert.match((await c.command('a', 'LIST (RECURSIVEMATCH) "" *')).pop()!, /^a BAD .*RECURSIVEMATCH/);
    assert.match((await c.command('b', 'LIST (NOPE) "" *')).pop()!, /^b BAD/);
    c.end();
    // A server built without LIST-EXTENDED answers the extended syntax with BAD (RFC 5258 section 3).
    const plain = await startServer({ extensions: [] });
    try {
      const p = await login(plain.port);
      assert.match((await p.command('c', 'LIST (SUBSCRIBED) "" *')).pop()!, /^c BAD/);
      assert.match((await p.command('d', 'STATUS INBOX (SIZE)')).pop()!, /^d BAD/);
      assert.match((await p.command('e', 'CREATE X (USE (\\Sent))')).pop()!, /^e BAD/);
      const basic = await p.command('f', 'LIST "" *');
      assert.deepEqual(basic, ['* LIST (\\HasNoChildren) "/" "INBOX"', 'f OK List completed.']);
      p.end();
    } finally {
      await plain.close();
    }
  });
});

describe('APPEND: MULTIAPPEND, APPENDUID, APPENDLIMIT, BINARY literal8', () => {
  test('imapflow append() reads APPENDUID', async () => {
    const srv = await server();
    const client = imapflow(srv.port);
    await client.connect();
    try {
      const first = await client.append('INBOX', 'Subject: a\r\n\r\nA\r\n', ['\\Seen']);
      const second = await client.append('INBOX', 'Subject: b\r\n\r\nB\r\n');
      assert.ok(first && second);
      assert.equal(first.uid, 1);
      assert.equal(second.uid, 2);
      assert.equal(first.uidValidity, second.uidValidity);
      const st = await client.status('INBOX', { uidValidity: true, messages: true });
      assert.ok(st && st.uidValidity !== undefined);
      assert.equal(BigInt(st.uidValidity), BigInt(first.uidValidity!));
    } finally {
      await client.logout();
      await srv.close();
    }
  });

  test('MULTIAPPEND stores all messages or none; APPENDUID carries a UID set', async () => {
    const srv = await server();
    const c = await login(srv.port);
    try {
      c.send('a APPEND INBOX (\\Seen) {7}');
      assert.match((await c.line())!, /^\+/);
      c.write('Subj: 1 {7}\r\n');
      assert.match((await c.line())!, /^\+/);
      c.write('Subj: 2 "02-Feb-2024 10:00:00 +0100" {7}\r\n');
      assert.match((await c.line())!, /^\+/);
      c.write('Subj: 3\r\n');
      assert.match((await c.until('a')).pop()!, /^a OK \[APPENDUID \d+ 1:3\] /);
      // A zero-length literal cancels everything (RFC 3502).
      c.send('b APPEND INBOX {7}');
      await c.line();
      c.write('Subj: 4 {0}\r\n');
      await c.line();
      c.write('\r\n');
      assert.match((await c.until('b')).pop()!, /^b NO /);
      // A missing mailbox: TRYCREATE, nothing stored anywhere.
      c.send('c APPEND Nope {7+}\r\nSubj: 5 {7+}\r\nSubj: 6');
      assert.match((await c.until('c')).pop()!, /^c NO \[TRYCREATE\]/);
      assert.deepEqual((await c.command('d', 'STATUS INBOX (MESSAGES UIDNEXT)'))[0], '* STATUS "INBOX" (MESSAGES 3 UIDNEXT 4)');
      const f = await c.command('e', 'EXAMINE INBOX');
      assert.ok(f.includes('* 3 EXISTS'));
      const fetched = await c.command('f', 'UID FETCH 1:* (FLAGS INTERNALDATE)');
      assert.match(fetched[0], /UID 1 FLAGS \(\\Seen/);
      assert.match(fetched[2], /UID 3 FLAGS \(\\Recent\) INTERNALDATE "02-Feb-2024 09:00:00 \+0000"/);
    } finally {
      c.end();
      await srv.close();
    }
  });

  test('APPENDLIMIT is advertised, returned by STATUS and enforced', async () => {
    assert.equal(appendLimitFor(undefined), 64 * 1024 * 1024);
    assert.equal(appendLimitFor(1000, 500), 500);
    assert.throws(() => appendLimitExtension(0), RangeError);
    // A limit below maxLiteralSize (e.g. a store's smaller maximum) is enforced by APPEND itself.
    const srv = await startServer({ extensions: [...withCapabilities([]).filter((e) => e.name !== 'APPENDLIMIT'), appendLimitExtension(20)] });
    const c = await login(srv.port);
    try {
      const caps = (await c.command('a', 'CAPABILITY'))[0];
      assert.match(caps, / APPENDLIMIT=20( |$)/);
      assert.equal((await c.command('b', 'STATUS INBOX (APPENDLIMIT)'))[0], '* STATUS "INBOX" (APPENDLIMIT 20)');
      assert.match((await c.append('c', 'INBOX', 'Subject: this one is too long')).pop()!, /^c NO \[TOOBIG\]/);
      assert.match((await c.append('d', 'INBOX', 'Subject: ok')).pop()!, /^d OK/);
    } finally {
      c.end();
      await srv.close();
    }
  });

  test('uid-set text never uses n:n (RFC 4315)', () => {
    assert.equal(uidSetText([5]), '5');
    assert.equal(uidSetText([5, 6, 7, 9, 11, 12]), '5:7,9,11:12');
  });

  test('BINARY: literal8 APPEND re-encodes binary parts as base64 losslessly; refused when BINARY is not advertised', async () => {
    const message = Buffer.concat([
      Buffer.from('Subject: bin\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n'),
      Buffer.from([0, 1, 2, 0x0a, 0xff, 0, 0x0d, 0x0a]),
    ]);
    const srv = await startServer({ extensions: withCapabilities(['BINARY']) });
    const c = await login(srv.port);
    try {
      c.send(`a APPEND INBOX ~{${message.length}}`);
      assert.match((await c.line())!, /^\+/);
      c.write(Buffer.concat([message, Buffer.from('\r\n')]));
      assert.match((await c.until('a')).pop()!, /^a OK \[APPENDUID \d+ 1\]/);
      const user = await srv.backend.login('alice', 'password', { protocol: 'imap', secure: true });
      const box = await user.openMailbox('INBOX', { readOnly: true, onChange: () => {} });
      const stored = await (await box.body(1)).read();
      const text = stored.toString('latin1');
      assert.match(text, /^Subject: bin\r\nContent-Type: application\/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n/);
      assert.deepEqual(Buffer.from(text.split('\r\n\r\n')[1], 'base64'), message.subarray(message.indexOf('\r\n\r\n') + 4));
      // A literal8 message without binary parts is stored as sent.
      c.send('b APPEND INBOX ~{14}');
      assert.match((await c.line())!, /^\+/);
      c.write('Subject: b\r\n\r\n\r\n');
      assert.match((await c.until('b')).pop()!, /^b OK \[APPENDUID \d+ 2\]/);
      assert.equal((await (await box.body(2)).read()).toString(), 'Subject: b\r\n\r\n');
      await box.close();
      await user.close();
    } finally {
      c.end();
      await srv.close();
    }
    const plain = await server();
    const p = await login(plain.port);
    try {
      if (!(await p.command('x', 'CAPABILITY'))[0].split(' ').includes('BINARY')) {
        p.send('b APPEND INBOX ~{3+}\r\nabc');
        assert.match((await p.until('b')).pop()!, /^b BAD/);
      }
    } finally {
      p.end();
      await plain.close();
    }
  });
});

describe('CREATE-SPECIAL-USE and OBJECTID MAILBOXID', () => {
  test('CREATE (USE ...), MAILBOXID in CREATE, STATUS, SELECT and LIST-STATUS', async () => {
    const srv = await startServer({ extensions: withCapabilities(['OBJECTID']) });
    const c = await login(srv.port);
    try {
      const created = (await c.command('a', 'CREATE Junk (USE (\\Junk))')).pop()!;
      const m = /^a OK \[MAILBOXID \(([A-Za-z0-9_-]+)\)\] /.exec(created);
      assert.ok(m, created);
      const id = m[1];
      assert.equal((await c.command('b', 'STATUS Junk (MAILBOXID)'))[0], `* STATUS "Junk" (MAILBOXID (${id}))`);
      assert.ok((await c.command('c', 'SELECT Junk')).includes(`* OK [MAILBOXID (${id})] Ok`));
      await c.command('d0', 'CLOSE');
      await c.command('d', 'RENAME Junk Spam');
      const listed = await c.command('e', 'LIST "" Spam RETURN (SPECIAL-USE STATUS (MAILBOXID))');
      assert.deepEqual(listed.slice(0, 2), ['* LIST (\\Junk) "/" "Spam"', `* STATUS "Spam" (MAILBOXID (${id}))`]);
      assert.match((await c.command('f', 'CREATE Everything (USE (\\All))')).pop()!, /^f NO \[USEATTR\]/);
      assert.deepEqual(await c.command('g', 'LIST "" Everything'), ['g OK List completed.']);
    } finally {
      c.end();
      await srv.close();
    }
  });
});

describe('IMAP4rev2 differences (RFC 9051 appendix E)', () => {
  test('CLOSED, LIST in SELECT, STATUS DELETED/SIZE, LIST (SUBSCRIBED) with \\NonExistent', async () => {
    const srv = await server();
    const c = await login(srv.port);
    try {
      await c.append('a', 'INBOX', 'Subject: one');
      await c.command('b', 'CREATE Drafts (USE (\\Drafts))');
      await c.command('b2', 'SUBSCRIBE Drafts');
      await c.command('b3', 'SUBSCRIBE Ghost');
      // IMAP4rev1 already gets CLOSED (Dovecot sends it too), but no LIST response in SELECT.
      const rev1 = await c.command('c', 'SELECT INBOX');
      assert.ok(!rev1.some((l) => l.startsWith('* LIST')));
      const again = await c.command('c2', 'EXAMINE INBOX');
      assert.equal(again[0], '* OK [CLOSED] Previous mailbox closed.');
      assert.match((await c.command('d', 'STATUS INBOX (DELETED)')).pop()!, /^d BAD/);

      // ENABLE is valid in the authenticated state only (RFC 5161 section 3.1).
      await c.command('d2', 'CLOSE');
      assert.match((await c.command('e', 'ENABLE IMAP4rev2')).join('\n'), /\* ENABLED IMAP4rev2/);
      const first = await c.command('e2', 'SELECT INBOX');
      assert.ok(!first.some((l) => l.includes('[CLOSED]')));
      assert.ok(first.includes('* LIST (\\HasNoChildren) "/" "INBOX"'), first.join('\n'));
      const sel = await c.command('f', 'SELECT Drafts');
      assert.equal(sel[0], '* OK [CLOSED] Previous mailbox closed.');
      assert.ok(sel.includes('* LIST (\\Subscribed \\HasNoChildren \\Drafts) "/" "Drafts"'), sel.join('\n'));
      const ex = await c.command('g', 'SELECT INBOX');
      assert.ok(ex.includes('* LIST (\\HasNoChildren) "/" "INBOX"'), ex.join('\n'));
      assert.match((await c.command('h', 'STORE 1 +FLAGS (\\Deleted)')).pop()!, /^h OK/);
      assert.equal((await c.command('i', 'STATUS INBOX (DELETED SIZE MESSAGES)'))[0], '* STATUS "INBOX" (DELETED 1 SIZE 12 MESSAGES 1)');
      const subs = await c.command('j', 'LIST (SUBSCRIBED) "" *');
      assert.deepEqual(subs.slice(0, -1), ['* LIST (\\Subscribed) "/" "Drafts"', '* LIST (\\Subscribed \\NonExistent) "/" "Ghost"']);
      // UTF-8 names in rev2 (RFC 9051 section 5.1).
      await c.command('k', 'CREATE "Entwürfe"');
      const utf = await c.command('l', 'LIST "" "Entw*"');
      assert.equal(utf[0], '* LIST (\\HasNoChildren) "/" "Entwürfe"');
      // APPENDUID is part of IMAP4rev2 (UIDPLUS folded in).
      assert.match((await c.append('m', 'INBOX', 'Subject: two')).pop()!, /^m OK \[APPENDUID \d+ 2\]/);
      // LSUB stays for IMAP4rev1 clients.
      assert.match((await c.command('n', 'LSUB "" *')).pop()!, /^n OK/);
    } finally {
      c.end();
      await srv.close();
    }
  });
});

describe('daemon: default special-use mailboxes for new accounts', () => {
  test('createDefaultMailboxes gives Drafts, Sent, Trash, Junk, Archive with their special uses, subscribed', async () => {
    const backend = createMemoryBackend();
    await backend.createAccount('carol', 'unused-hash');
    await createDefaultMailboxes(backend, 'carol');
    await createDefaultMailboxes(backend, 'carol'); // idempotent
    const user = await backend.openUser('carol', { protocol: 'cli', secure: true });
    assert.ok(user);
    const boxes = await user.listMailboxes();
    const uses = Object.fromEntries(boxes.map((b) => [b.name, b.specialUse.join(' ')]));
    assert.deepEqual(uses, { INBOX: '', Drafts: '\\Drafts', Sent: '\\Sent', Trash: '\\Trash', Junk: '\\Junk', Archive: '\\Archive' });
    assert.deepEqual((await user.listSubscriptions()).sort(), ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
    assert.equal(DEFAULT_MAILBOXES.length, 5);
    await user.close();
    await backend.close();
  });
});
