/**
 * Message-level extensions against a real listening server (memory store, 127.0.0.1:0): ESEARCH
 * (RFC 4731), SEARCHRES (RFC 5182), WITHIN (RFC 5032), SAVEDATE (RFC 8514), UIDPLUS's UID EXPUNGE and
 * COPYUID (RFC 4315), OBJECTID's EMAILID/THREADID (RFC 8474) and the IMAP4rev2 behaviour of SEARCH,
 * FETCH, STORE and COPY (RFC 9051). Each extension's syntax is a BAD when the extension is not offered.
 * No timing assertions: every wait is for a specific line.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultExtensions } from '../src/imap/extensions/index.ts';
import { imap4rev2Extension } from '../src/imap/extensions/imap4rev2.ts';
import { createMemoryBackend } from '../src/store/memory/index.ts';
import { imapflow, RawClient, startServer } from './transcripts/harness.ts';

/** A message of `n` octets' worth of text: `Subject: s` and a short body. */
const message = (subject: string, body = 'Hello'): string => `Subject: ${subject}\r\nFrom: a@example.org\r\n\r\n${body}\r\n`;

/** APPEND with a synchronizing literal; returns the tagged line. */
async function append(c: RawClient, tag: string, mailbox: string, content: string, extra = ''): Promise<string> {
  const r = await c.append(tag, mailbox, content, extra);
  return r[r.length - 1];
}

/** A client logged in with INBOX holding `count` messages (message i has subject m<i>), INBOX selected. */
async function withInbox(port: number, count: number, flagged: readonly number[] = [], before: readonly string[] = []): Promise<RawClient> {
  const c = await RawClient.connect(port);
  await c.login();
  for (const [i, cmd] of before.entries()) {
    const r = await c.command(`pre${i}`, cmd);
    assert.match(r[r.length - 1], new RegExp(`^pre${i} OK`), r.join('\n'));
  }
  for (let i = 1; i <= count; i++) {
    const tagged = await append(c, `a${i}`, 'INBOX', message(`m${i}`), flagged.includes(i) ? ' (\\Flagged)' : '');
    assert.match(tagged, /OK/);
  }
  const r = await c.command('sel', 'SELECT INBOX');
  assert.match(r[r.length - 1], /^sel OK/);
  return c;
}

describe('ESEARCH (RFC 4731)', () => {
  test('RETURN options, UID indicator, empty results, RETURN () and unknown options', async () => {
    const srv = await startServer();
    const c = await withInbox(srv.port, 5, [2, 3, 5]);
    try {
      assert.deepEqual(await c.command('s1', 'SEARCH RETURN (MIN MAX COUNT ALL) FLAGGED'), [
        '* ESEARCH (TAG "s1") MIN 2 MAX 5 ALL 2:3,5 COUNT 3',
        's1 OK Search completed.',
      ]);
      assert.deepEqual(await c.command('s2', 'UID SEARCH RETURN (COUNT) UNFLAGGED'), ['* ESEARCH (TAG "s2") UID COUNT 2', 's2 OK Search completed.']);
      // RETURN () is ALL (RFC 4731 section 3.1).
      assert.deepEqual(await c.command('s3', 'SEARCH RETURN () 2:4'), ['* ESEARCH (TAG "s3") ALL 2:4', 's3 OK Search completed.']);
      // No match: MIN, MAX and ALL are left out, COUNT is 0, the response is still sent.
      assert.deepEqual(await c.command('s4', 'SEARCH RETURN (MIN MAX ALL COUNT) SUBJECT nothing'), [
        '* ESEARCH (TAG "s4") COUNT 0',
        's4 OK Search completed.',
      ]);
      assert.deepEqual(await c.command('s5', 'SEARCH RETURN (MIN) SUBJECT nothing'), ['* ESEARCH (TAG "s5")', 's5 OK Search completed.']);
      assert.match((await c.command('s6', 'SEARCH RETURN (PARTIAL 1:5) ALL'))[0], /^s6 BAD/);
      // RETURN comes before CHARSET (RFC 4466 search-return-opts).
      assert.match((await c.command('s7', 'SEARCH CHARSET UTF-8 RETURN (ALL) ALL'))[0], /^s7 BAD/);
      assert.deepEqual(await c.command('s8', 'SEARCH RETURN (ALL) CHARSET UTF-8 SUBJECT m4'), ['* ESEARCH (TAG "s8") ALL 4', 's8 OK Search completed.']);
      // Without RETURN, an IMAP4rev1 client gets the classic SEARCH response.
      assert.deepEqual(await c.command('s9', 'SEARCH FLAGGED'), ['* SEARCH 2 3 5', 's9 OK Search completed.']);
    } finally {
      c.end();
      await srv.close();
    }
  });

  test('imapflow uses ESEARCH for search() with returnOptions', async () => {
    const srv = await startServer();
    const client = imapflow(srv.port, { disableAutoIdle: true });
    try {
      await client.connect();
      for (let i = 1; i <= 4; i++) await client.append('INBOX', message(`m${i}`), i % 2 === 0 ? ['\\Seen'] : []);
      await client.mailboxOpen('INBOX');
      assert.ok(client.capabilities.has('ESEARCH'));
      const result = await client.search({ seen: true }, { uid: true, returnOptions: ['min', 'max', 'count', 'all'] });
      assert.ok(!Array.isArray(result), 'an ESEARCH result');
      assert.equal((result as { min?: number }).min, 2);
      assert.equal((result as { max?: number }).max, 4);
      assert.equal((result as { count?: number }).count, 2);
      // imapflow hands ALL over as the sequence-set text.
      assert.equal(String((result as { all?: unknown }).all), '2,4');
    } finally {
      await client.logout().catch(() => {});
      await srv.close();
    }
  });
});

describe('SEARCHRES (RFC 5182)', () => {
  test('SAVE alone answers no ESEARCH; $ in FETCH, UID FETCH, SEARCH, UID SEARCH, STORE and COPY', async () => {
    const srv = await startServer();
    const c = await withInbox(srv.port, 5, [2, 4]);
    try {
      assert.deepEqual(await c.command('s1', 'SEARCH RETURN (SAVE) FLAGGED'), ['s1 OK Search completed.']);
      assert.deepEqual(await c.command('f1', 'FETCH $ (UID)'), ['* 2 FETCH (UID 2)', '* 4 FETCH (UID 4)', 'f1 OK Fetch completed.']);
      assert.deepEqual(await c.command('f2', 'UID FETCH $ (FLAGS)'), [
        '* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))',
        '* 4 FETCH (UID 4 FLAGS (\\Flagged \\Recent))',
        'f2 OK Fetch completed.',
      ]);
      assert.deepEqual(await c.command('s2', 'SEARCH $ SUBJECT m4'), ['* SEARCH 4', 's2 OK Search completed.']);
      assert.deepEqual(await c.command('s3', 'UID SEARCH OR UID $ 1'), ['* SEARCH 1 2 4', 's3 OK Search completed.']);
      assert.deepEqual(await c.command('st', 'STORE $ +FLAGS.SILENT (\\Seen)'), ['st OK Store completed.']);
      assert.deepEqual(await c.command('s4', 'SEARCH SEEN'), ['* SEARCH 2 4', 's4 OK Search completed.']);
      assert.match((await c.command('cr', 'CREATE Saved')).at(-1) ?? '', /^cr OK/);
      assert.match((await c.command('cp', 'COPY $ Saved')).at(-1) ?? '', /^cp OK \[COPYUID \d+ 2,4 1:2\]/);
    } finally {
      c.end();
      await srv.close();
    }
  });

  test('what SAVE keeps with MIN, MAX and ALL/COUNT (section 2.4 table)', async () => {
    const srv = await startServer();
    const c = await withInbox(srv.port, 6);
    const saved = async (tag: string): Promise<string[]> => (await c.command(tag, 'UID SEARCH $')).slice(0, -1);
    try {
      assert.deepEqual(await c.command('a', 'SEARCH RETURN (SAVE MIN) 2:5'), ['* ESEARCH (TAG "a") MIN 2', 'a OK Search completed.']);
      assert.deepEqual(await saved('a2'), ['* SEARCH 2']);
      assert.deepEqual(await c.command('b', 'SEARCH RETURN (MAX SAVE) 2:5'), ['* ESEARCH (TAG "b") MAX 5', 'b OK Search completed.']);
      assert.deepEqual(await saved('b2'), ['* SEARCH 5']);
      await c.command('c', 'SEARCH RETURN (SAVE MIN MAX) 2:5');
      assert.deepEqual(await saved('c2'), ['* SEARCH 2 5']);
      await c.command('d', 'SEARCH RETURN (SAVE MIN COUNT) 2:5');
      assert.deepEqual(await saved('d2'), ['* SEARCH 2 3 4 5']);
      // A search that matches nothing saves the empty list; `$` is then valid and matches nothing.
      await c.command('e', 'SEARCH RETURN (SAVE) SUBJECT nothing');
      assert.deepEqual(await saved('e2'), ['* SEARCH']);
      assert.deepEqual(await c.command('e3', 'FETCH $ UID'), ['e3 OK Fetch completed.']);
      assert.deepEqual(await c.command('e4', 'COPY $ INBOX'), ['e4 OK No messages found.']);
    } finally {
      c.end();
      await srv.close();
    }
  });

  test('a NO resets $, a BAD leaves it; expunged messages leave it; SELECT resets it', async () => {
    const srv = await startServer();
    const c = await withInbox(srv.port, 4);
    try {
      await c.command('s1', 'SEARCH RETURN (SAVE) 1:3');
      // BAD (syntax): the saved result does not change.
      assert.match((await c.command('s2', 'SEARCH RETURN (SAVE) FOO')).at(-1) ?? '', /^s2 BAD/);
      assert.deepEqual((await c.command('s3', 'UID SEARCH $')).slice(0, -1), ['* SEARCH 1 2 3']);
      // A search without SAVE that fails with NO does not change it either.
      assert.match((await c.command('s4', 'SEARCH CHARSET X-NONE SUBJECT x')).at(-1) ?? '', /^s4 NO \[BADCHARSET/);
      assert.deepEqual((await c.command('s5', 'UID SEARCH $')).slice(0, -1), ['* SEARCH 1 2 3']);
      // NO with SAVE empties it (RFC 5182 section 2.1, example 5).
      assert.match((await c.command('s6', 'SEARCH RETURN (SAVE) CHARSET X-NONE SUBJECT x')).at(-1) ?? '', /^s6 NO \[BADCHARSET/);
      assert.deepEqual((await c.command('s7', 'UID SEARCH $')).slice(0, -1), ['* SEARCH']);
      // Expunged messages drop out of $.
      await c.command('s8', 'SEARCH RETURN (SAVE) 1:3');
      await c.command('st', 'STORE 2 +FLAGS.SILENT (\\Deleted)');
      assert.deepEqual(await c.command('ex', 'EXPUNGE'), ['* 2 EXPUNGE', 'ex OK Expunge completed.']);
      assert.deepEqual(await c.command('f', 'FETCH $ UID'), ['* 1 FETCH (UID 1)', '* 2 FETCH (UID 3)', 'f OK Fetch completed.']);
      // SELECT starts with an empty $.
      await c.command('sel', 'SELECT INBOX');
      assert.deepEqual(await c.command('g', 'FETCH $ UID'), ['g OK Fetch completed.']);
    } finally {
      c.end();
      await srv.close();
    }
  });

  test('pipelined SAVE then $ (section 2.3 examples 7 and 9)', async () => {
    const srv = await startServer();
    const c = await withInbox(srv.port, 3, [1, 3]);
    try {
      c.send('p1 SEARCH RETURN (SAVE) FLAGGED\r\np2 SEARCH RETURN (SAVE) UNFLAGGED\r\np3 FETCH $ UID');
      assert.deepEqual(await c.until('p3'), ['p1 OK Search completed.', 'p2 OK Search completed.', '* 2 FETCH (UID 2)', 'p3 OK Fetch completed.']);
    } finally {
      c.end();
      await srv.close();
    }
  });
});

describe('WITHIN (RFC 5032) and SAVEDATE (RFC 8514)', () => {
  test('OLDER / YOUNGER on the internal date; SAVEDATE fetch and search keys', async () => {
    const srv = await startServer();
    const c = await RawClient.connect(srv.port);
    try {
      await c.login();
      // Internal dates: one in 2001, one now (APPEND without a date).
      await append(c, 'a1', 'INBOX', message('old'), ' "09-Sep-2001 01:46:40 +0000"');
      await append(c, 'a2', 'INBOX', message('new'));
      await c.command('sel', 'SELECT INBOX');
      const dayAgo = 24 * 3600;
      assert.deepEqual(await c.command('w1', `SEARCH OLDER ${dayAgo}`), ['* SEARCH 1', 'w1 OK Search completed.']);
      assert.deepEqual(await c.command('w2', `SEARCH YOUNGER ${dayAgo}`), ['* SEARCH 2', 'w2 OK Search completed.']);
      assert.deepEqual(await c.command('w3', 'UID SEARCH RETURN (COUNT) YOUNGER 4000000000'), ['* ESEARCH (TAG "w3") UID COUNT 2', 'w3 OK Search completed.']);
      assert.match((await c.command('w4', 'SEARCH OLDER 0'))[0], /^w4 BAD/);
      assert.match((await c.command('w5', 'SEARCH YOUNGER abc'))[0], /^w5 BAD/);

      // Both messages were saved now, whatever their internal date: SAVEDATE is the append time.
      const r = await c.command('f1', 'FETCH 1:2 (SAVEDATE INTERNALDATE)');
      assert.match(r[0], /^\* 1 FETCH \(SAVEDATE "\d\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d \+0000" INTERNALDATE "09-Sep-2001 01:46:40 \+0000"\)$/);
      const saved = /SAVEDATE "(\d\d)-([A-Z][a-z]{2})-(\d{4})/.exec(r[0]);
      assert.ok(saved);
      const today = `${saved[1]}-${saved[2]}-${saved[3]}`;
      assert.deepEqual(await c.command('d1', `SEARCH SAVEDON ${today}`), ['* SEARCH 1 2', 'd1 OK Search completed.']);
      assert.deepEqual(await c.command('d2', `SEARCH ON ${today}`), ['* SEARCH 2', 'd2 OK Search completed.']);
      assert.deepEqual(await c.command('d3', `SEARCH SAVEDBEFORE ${today}`), ['* SEARCH', 'd3 OK Search completed.']);
      assert.deepEqual(await c.command('d4', 'SEARCH SAVEDSINCE 1-Jan-2002'), ['* SEARCH 1 2', 'd4 OK Search completed.']);
      assert.deepEqual(await c.command('d5', 'SEARCH SAVEDATESUPPORTED'), ['* SEARCH 1 2', 'd5 OK Search completed.']);
      // A copy gets its own save date in the destination (RFC 8514 section 3): still today here.
      await c.command('cr', 'CREATE Copies');
      await c.command('cp', 'COPY 1 Copies');
      await c.command('sel2', 'SELECT Copies');
      assert.deepEqual(await c.command('d6', `SEARCH SAVEDON ${today}`), ['* SEARCH 1', 'd6 OK Search completed.']);
    } finally {
      c.end();
      await srv.close();
    }
  });
});

describe('UIDPLUS (RFC 4315)', () => {
  test('UID EXPUNGE removes only the listed \\Deleted messages; read-only is refused', async () => {
    const srv = await startServer();
    const c = await withInbox(srv.port, 4);
    const other = await RawClient.connect(srv.port);
    try {
      await other.login();
      await other.command('o1', 'SELECT INBOX');
      await c.command('st', 'STORE 1:3 +FLAGS.SILENT (\\Deleted)');
      assert.deepEqual(await c.command('x1', 'UID EXPUNGE 2:4'), ['* 2 EXPUNGE', '* 2 EXPUNGE', 'x1 OK Expunge completed.']);
      assert.deepEqual(await c.command('x2', 'UID EXPUNGE 99'), ['x2 OK Expunge completed.']);
      assert.deepEqual(await c.command('s', 'UID SEARCH ALL'), ['* SEARCH 1 4', 's OK Search completed.']);
      // Another session sees the expunges at its next command.
      const seen = await other.command('o2', 'NOOP');
      assert.equal(seen.filter((l) => /^\* \d EXPUNGE$/.test(l)).length, 2, seen.join('\n'));
      assert.match(seen.at(-1) ?? '', /^o2 OK/);
      await c.command('ex', 'EXAMINE INBOX');
      assert.match((await c.command('x3', 'UID EXPUNGE 1'))[0], /^x3 NO \[READ-ONLY\]/);
      assert.match((await c.command('x4', 'UID EXPUNGE'))[0], /^x4 BAD/);
    } finally {
      c.end();
      other.end();
      await srv.close();
    }
  });

  test('imapflow: COPYUID map from messageCopy, UID EXPUNGE from messageDelete', async () => {
    const srv = await startServer();
    const client = imapflow(srv.port, { disableAutoIdle: true });
    try {
      await client.connect();
      assert.ok(client.capabilities.has('UIDPLUS'));
      for (let i = 1; i <= 3; i++) await client.append('INBOX', message(`m${i}`));
      await client.mailboxCreate('Archive');
      await client.mailboxOpen('INBOX');
      const copied = await client.messageCopy('2:3', 'Archive', { uid: true });
      assert.ok(copied !== false);
      assert.deepEqual([...(copied.uidMap ?? new Map())], [[2, 1], [3, 2]]);
      // \Deleted on 1 by "someone else" must survive a UID EXPUNGE of 2.
      await client.messageFlagsAdd('1', ['\\Deleted'], { uid: true });
      assert.ok(await client.messageDelete('2', { uid: true }));
      const left = await client.search({ all: true }, { uid: true });
      assert.deepEqual(left, [1, 3]);
    } finally {
      await client.logout().catch(() => {});
      await srv.close();
    }
  });
});

describe('OBJECTID EMAILID / THREADID (RFC 8474)', () => {
  test('FETCH EMAILID/THREADID and SEARCH EMAILID/THREADID; a copy keeps its EMAILID', async () => {
    // OBJECTID is in the default extension set.
    const srv = await startServer();
    const port = srv.port;
    const c = await withInbox(port, 2);
    try {
      assert.match((await c.command('cap', 'CAPABILITY'))[0], /^\* CAPABILITY .* OBJECTID( |$)/);
      const r = await c.command('f', 'FETCH 1:2 (EMAILID THREADID)');
      const m1 = /^\* 1 FETCH \(EMAILID \(([A-Za-z0-9_-]+)\) THREADID \(([A-Za-z0-9_-]+)\)\)$/.exec(r[0]);
      const m2 = /^\* 2 FETCH \(EMAILID \(([A-Za-z0-9_-]+)\) THREADID \(([A-Za-z0-9_-]+)\)\)$/.exec(r[1]);
      assert.ok(m1 && m2, r.join('\n'));
      assert.notEqual(m1[1], m2[1]);
      assert.deepEqual(await c.command('s1', `SEARCH EMAILID ${m2[1]}`), ['* SEARCH 2', 's1 OK Search completed.']);
      assert.deepEqual(await c.command('s2', `UID SEARCH THREADID ${m1[2]}`), [
        `* SEARCH ${m1[2] === m2[2] ? '1 2' : '1'}`,
        's2 OK Search completed.',
      ]);
      assert.match((await c.command('s3', 'SEARCH EMAILID bad!id'))[0], /^s3 BAD/);
      await c.command('cr', 'CREATE Other');
      await c.command('cp', 'COPY 1 Other');
      await c.command('sel', 'SELECT Other');
      assert.deepEqual(await c.command('s4', `SEARCH EMAILID ${m1[1]}`), ['* SEARCH 1', 's4 OK Search completed.']);
    } finally {
      c.end();
      await srv.close();
    }
  });

  test('without OBJECTID the items and keys are unknown (BAD)', async () => {
    const srv = await startServer({ extensions: false });
    const c = await withInbox(srv.port, 1);
    try {
      assert.match((await c.command('f', 'FETCH 1 (EMAILID)'))[0], /^f BAD/);
      assert.match((await c.command('s', 'SEARCH THREADID T1'))[0], /^s BAD/);
    } finally {
      c.end();
      await srv.close();
    }
  });
});

describe('extension syntax needs its extension', () => {
  test('a plain RFC 3501 server answers BAD to RETURN, $, OLDER, SAVEDON, SAVEDATE and UID EXPUNGE', async () => {
    const srv = await startServer({ extensions: false });
    const c = await withInbox(srv.port, 2);
    try {
      for (const [tag, cmd] of [
        ['b1', 'SEARCH RETURN (ALL) ALL'],
        ['b2', 'FETCH $ UID'],
        ['b3', 'SEARCH OLDER 10'],
        ['b4', 'SEARCH SAVEDON 1-Jan-2020'],
        ['b5', 'FETCH 1 SAVEDATE'],
        ['b6', 'UID EXPUNGE 1'],
        ['b7', 'STORE $ +FLAGS (\\Seen)'],
        ['b8', 'COPY $ INBOX'],
      ] as const) {
        assert.match((await c.command(tag, cmd))[0], new RegExp(`^${tag} BAD`), cmd);
      }
      // Still IMAP4rev1 answers, without COPYUID.
      assert.deepEqual(await c.command('ok1', 'SEARCH ALL'), ['* SEARCH 1 2', 'ok1 OK Search completed.']);
      assert.equal((await c.command('ok2', 'COPY 1 INBOX')).at(-1), 'ok2 OK Copy completed.');
    } finally {
      c.end();
      await srv.close();
    }
  });
});

describe('IMAP4rev2 (RFC 9051) in SEARCH, FETCH, STORE and COPY', () => {
  test('ESEARCH answers, no \\Recent, COPYUID and $ without the rev1 extensions advertised', async () => {
    // Only IMAP4rev2 (and ENABLE) offered: the folded-in extensions must work once it is enabled.
    const enable = defaultExtensions({ backend: createMemoryBackend() }).filter((e) => e.name === 'ENABLE');
    const srv = await startServer({ extensions: [...enable, imap4rev2Extension] });
    const c = await withInbox(srv.port, 3, [2], ['ENABLE IMAP4rev2', 'CREATE Other']);
    try {
      assert.deepEqual(await c.command('s1', 'SEARCH FLAGGED'), ['* ESEARCH (TAG "s1") ALL 2', 's1 OK Search completed.']);
      assert.deepEqual(await c.command('s2', 'UID SEARCH ALL'), ['* ESEARCH (TAG "s2") UID ALL 1:3', 's2 OK Search completed.']);
      assert.deepEqual(await c.command('s3', 'SEARCH SUBJECT nothing'), ['* ESEARCH (TAG "s3")', 's3 OK Search completed.']);
      assert.deepEqual(await c.command('s4', 'SEARCH RETURN (COUNT) ALL'), ['* ESEARCH (TAG "s4") COUNT 3', 's4 OK Search completed.']);
      // The messages are \Recent for this session, but IMAP4rev2 has no \Recent.
      assert.deepEqual(await c.command('f1', 'FETCH 1:2 FLAGS'), ['* 1 FETCH (FLAGS ())', '* 2 FETCH (FLAGS (\\Flagged))', 'f1 OK Fetch completed.']);
      assert.deepEqual(await c.command('st', 'STORE 1 +FLAGS (\\Seen)'), ['* 1 FETCH (FLAGS (\\Seen))', 'st OK Store completed.']);
      // SEARCHRES is part of IMAP4rev2.
      assert.deepEqual(await c.command('s5', 'SEARCH RETURN (SAVE) FLAGGED'), ['s5 OK Search completed.']);
      assert.deepEqual(await c.command('f2', 'FETCH $ UID'), ['* 2 FETCH (UID 2)', 'f2 OK Fetch completed.']);
      // COPYUID (UIDPLUS) is part of IMAP4rev2 (RFC 9051 section 6.4.7).
      assert.match((await c.command('cp', 'COPY $ Other'))[0], /^cp OK \[COPYUID \d+ 2 1\] /);
    } finally {
      c.end();
      await srv.close();
    }
  });

  test('before ENABLE the same server answers as IMAP4rev1', async () => {
    const srv = await startServer({ extensions: [imap4rev2Extension] });
    const c = await withInbox(srv.port, 1);
    try {
      assert.deepEqual(await c.command('s1', 'SEARCH ALL'), ['* SEARCH 1', 's1 OK Search completed.']);
      assert.deepEqual(await c.command('f1', 'FETCH 1 FLAGS'), ['* 1 FETCH (FLAGS (\\Recent))', 'f1 OK Fetch completed.']);
      assert.match((await c.command('s2', 'SEARCH RETURN (ALL) ALL'))[0], /^s2 BAD/);
    } finally {
      c.end();
      await srv.close();
    }
  });
});

describe('BINARY (RFC 3516)', () => {
  test('advertised; literal8 APPEND then FETCH BINARY / BINARY.SIZE give the NUL octets back in a literal8', async () => {
    const srv = await startServer();
    const c = await RawClient.connect(srv.port);
    try {
      await c.login();
      assert.match((await c.command('cap', 'CAPABILITY'))[0], / BINARY( |$)/);
      const body = Buffer.from([0x61, 0x00, 0x62, 0x0d, 0x0a, 0x00, 0xff]);
      const msg = Buffer.concat([Buffer.from('Subject: bin\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n'), body]);
      c.send(`a APPEND INBOX ~{${msg.length}}`);
      assert.match((await c.line()) ?? '', /^\+ /);
      c.write(Buffer.concat([msg, Buffer.from('\r\n')]));
      assert.match((await c.until('a')).at(-1) ?? '', /^a OK \[APPENDUID /);
      await c.command('sel', 'SELECT INBOX');
      // The stored part is base64 (append-binary.ts); BINARY removes it again, NUL and all.
      assert.deepEqual(await c.command('s', 'FETCH 1 BINARY.SIZE[1]'), ['* 1 FETCH (BINARY.SIZE[1] 7)', 's OK Fetch completed.']);
      const r = await c.command('f', 'FETCH 1 BINARY.PEEK[1]');
      assert.deepEqual(r, ['* 1 FETCH (BINARY[1] ~{7}', 'a\u0000b', '\u0000\uFFFD)', 'f OK Fetch completed.']);
      // Without NUL in the window, a plain literal (RFC 3516 section 4.2 SHOULD).
      assert.deepEqual(await c.command('p', 'FETCH 1 BINARY.PEEK[1]<2.3>'), ['* 1 FETCH (BINARY[1]<2> {3}', 'b', ')', 'p OK Fetch completed.']);
      assert.match((await c.command('h', 'FETCH 1 BODY.PEEK[1.MIME]'))[0], /^\* 1 FETCH \(BODY\[1\.MIME\] \{/);
    } finally {
      c.end();
      await srv.close();
    }
  });
});
