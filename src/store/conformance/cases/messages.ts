/** APPEND, UIDs, MODSEQ, FETCH and message bodies. */
import assert from 'node:assert/strict';
import { parseMessage } from '../../../message/index.ts';
import { INBOX } from '../../../core/mailbox-name.ts';
import type { MailboxChange } from '../../types.ts';
import { collect, mail, rejectsWith, sortedFlags, type Register } from '../harness.ts';

/** APPEND and UID allocation. */
export function appendCases(test: Register): void {
  test('append returns ascending UIDs in input order and the mailbox UIDVALIDITY', async (env) => {
    const before = await env.user.status(INBOX);
    const inputs = [mail({ body: 'first' }), mail({ body: 'second' }), mail({ body: 'third' })];
    const result = await env.user.append(INBOX, inputs.map((content) => ({ content })));
    assert.equal(result.uidValidity, before.uidValidity);
    assert.equal(result.uids.length, 3);
    for (let i = 1; i < result.uids.length; i++) assert.ok(result.uids[i] > result.uids[i - 1], 'ascending');
    assert.ok(result.uids[0] >= before.uidNext);
    const { mailbox } = await env.open(INBOX);
    for (let i = 0; i < inputs.length; i++) {
      assert.ok((await (await mailbox.body(result.uids[i])).read()).equals(inputs[i]), `UID ${i} is input ${i}`);
    }
  });

  test('append stores bytes, flags and internal date exactly', async (env) => {
    const content = mail({ subject: 'exact', body: 'caf\u00e9 \u2603' });
    const internalDate = new Date('2021-03-04T05:06:07.000Z');
    const [uid] = await env.append(INBOX, { content, flags: ['\\seen', '$Label1', '\\FLAGGED', '$Label1'], internalDate });
    const { mailbox } = await env.open(INBOX);
    const [rec] = await mailbox.fetch([uid]);
    assert.equal(rec.uid, uid);
    // System flags are canonical (RFC 3501 flags are case-insensitive), duplicates collapse.
    assert.deepEqual(sortedFlags(rec.flags), sortedFlags(['\\Seen', '\\Flagged', '$Label1']));
    assert.equal(rec.internalDate.getTime(), internalDate.getTime());
    assert.equal(rec.size, content.length);
    const body = await mailbox.body(uid);
    assert.equal(body.size, content.length);
    assert.ok((await body.read()).equals(content), 'bytes stored exactly');
  });

  test('append defaults the internal date to now and stamps SAVEDATE', async (env) => {
    const start = Date.now();
    const [uid] = await env.append(INBOX, mail());
    const end = Date.now();
    const { mailbox } = await env.open(INBOX);
    const [rec] = await mailbox.fetch([uid]);
    // Stores may keep dates with one-second precision.
    assert.ok(rec.internalDate.getTime() >= start - 1000 && rec.internalDate.getTime() <= end + 1000, 'internal date is now');
    assert.ok(rec.saveDate.getTime() >= start - 1000 && rec.saveDate.getTime() <= end + 1000, 'SAVEDATE is now');
  });

  test('append is all or nothing', async (env) => {
    const changes: MailboxChange[] = [];
    const mailbox = await env.user.openMailbox(INBOX, { readOnly: true, onChange: (c) => changes.push(c) });
    env.defer(() => mailbox.close());
    await env.append(INBOX, mail());
    changes.length = 0;
    let failed = false;
    try {
      // The second message is unstorable: no store can keep an invalid date.
      await env.user.append(INBOX, [{ content: mail() }, { content: mail(), internalDate: new Date(Number.NaN) }, { content: mail() }]);
    } catch {
      failed = true;
    }
    assert.ok(failed, 'an append with an invalid message fails');
    assert.equal((await env.user.status(INBOX)).messages, 1, 'none of the messages was appended (RFC 3502)');
    assert.deepEqual(changes.filter((c) => c.type === 'append'), []);
  });

  test('append uses the meta given by the caller as is', async (env) => {
    const content = mail({ subject: 'real subject' });
    const meta = parseMessage(mail({ subject: 'parsed by the caller' }));
    const [uid] = await env.user.append(INBOX, [{ content, meta }]).then((r) => r.uids);
    const { mailbox } = await env.open(INBOX);
    const [rec] = await mailbox.fetch([uid], { meta: true });
    assert.equal(rec.meta?.envelope.subject, 'parsed by the caller');
  });

  test('UIDs are strictly ascending and never reused after expunge', async (env) => {
    const first = await env.append(INBOX, mail(), mail());
    const { mailbox } = await env.open(INBOX);
    await mailbox.remove(first);
    const second = await env.append(INBOX, mail());
    assert.ok(second[0] > Math.max(...first), 'a new UID is above every earlier one');
    await env.user.renameMailbox(INBOX, 'Moved');
    const third = await env.append(INBOX, mail());
    const status = await env.user.status(INBOX);
    if (status.uidValidity === mailbox.snapshot.uidValidity) assert.ok(third[0] > second[0], 'still above after INBOX rename');
  });

  test('50 parallel appends get distinct UIDs', async (env) => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => env.user.append(INBOX, [{ content: mail({ subject: `parallel ${i}` }) }])));
    const uids = results.map((r) => r.uids[0]);
    assert.equal(new Set(uids).size, 50);
    assert.equal((await env.user.status(INBOX)).messages, 50);
    const { mailbox } = await env.open(INBOX);
    assert.deepEqual([...mailbox.snapshot.uids], [...uids].sort((a, b) => a - b));
  });
}

/** MODSEQ (RFC 7162): bumped by every mutation and stamped on the messages it touches. */
export function modseqCases(test: Register): void {
  test('every mutation bumps HIGHESTMODSEQ and stamps the touched messages', async (env) => {
    const { mailbox, changes } = await env.open(INBOX);
    const m0 = (await env.user.status(INBOX)).highestModseq;
    const [a, b] = await env.append(INBOX, mail(), mail());
    const m1 = (await env.user.status(INBOX)).highestModseq;
    assert.ok(m1 > m0, 'append bumps');
    const recs = await mailbox.fetch([a, b]);
    for (const r of recs) assert.equal(r.modseq, m1, 'appended messages carry the new MODSEQ');
    const appendRecord = changes.find((c) => c.type === 'append');
    assert.equal(appendRecord?.type === 'append' ? appendRecord.modseq : -1, m1);

    const stored = await mailbox.storeFlags([a], { op: 'add', flags: ['\\Seen'] });
    const m2 = (await env.user.status(INBOX)).highestModseq;
    assert.ok(m2 > m1, 'flag change bumps');
    assert.equal(stored.updated[0].modseq, m2);
    assert.equal((await mailbox.fetch([a]))[0].modseq, m2, 'touched message stamped');
    assert.equal((await mailbox.fetch([b]))[0].modseq, m1, 'untouched message keeps its MODSEQ');

    await mailbox.storeFlags([b], { op: 'add', flags: ['\\Deleted'] });
    const m3 = (await env.user.status(INBOX)).highestModseq;
    await mailbox.expunge();
    const m4 = (await env.user.status(INBOX)).highestModseq;
    assert.ok(m4 > m3, 'expunge bumps');
    const expunge = changes.find((c) => c.type === 'expunge');
    assert.equal(expunge?.type === 'expunge' ? expunge.modseq : -1, m4);
  });

  test('MODSEQ values in the change feed strictly increase', async (env) => {
    const { mailbox, changes } = await env.open(INBOX);
    const uids = await env.append(INBOX, mail(), mail(), mail());
    await Promise.all([
      mailbox.storeFlags([uids[0]], { op: 'add', flags: ['\\Flagged'] }),
      env.append(INBOX, mail()),
      mailbox.storeFlags([uids[1]], { op: 'add', flags: ['\\Deleted'] }),
      env.append(INBOX, mail()),
    ]);
    await mailbox.expunge();
    const modseqs: number[] = [];
    for (const c of changes) {
      if (c.type === 'append' || c.type === 'expunge') modseqs.push(c.modseq);
      if (c.type === 'flags') modseqs.push(Math.max(...c.updates.map((u) => u.modseq)));
    }
    assert.equal(modseqs.length, 6);
    for (let i = 1; i < modseqs.length; i++) assert.ok(modseqs[i] > modseqs[i - 1], `record ${i} MODSEQ ${modseqs[i]} > ${modseqs[i - 1]}`);
  });
}

/** FETCH records and bodies. */
export function fetchCases(test: Register): void {
  test('fetch returns the existing UIDs ascending, skipping expunged and unknown ones', async (env) => {
    const uids = await env.append(INBOX, mail(), mail(), mail());
    const { mailbox } = await env.open(INBOX);
    await mailbox.remove([uids[1]]);
    const recs = await mailbox.fetch([uids[2], uids[1], uids[0], 999_999, uids[2]]);
    assert.deepEqual(recs.map((r) => r.uid), [uids[0], uids[2]]);
    assert.equal(recs[0].meta, undefined, 'no meta unless asked');
    assert.deepEqual(await mailbox.fetch([]), []);
  });

  test('fetch with meta returns the parsed metadata', async (env) => {
    const content = mail({ subject: 'Meta please', from: 'Carol <carol@example.com>' });
    const [uid] = await env.append(INBOX, content);
    const { mailbox } = await env.open(INBOX);
    const [rec] = await mailbox.fetch([uid], { meta: true });
    assert.ok(rec.meta);
    assert.equal(rec.meta.size, content.length);
    assert.deepEqual(rec.meta, parseMessage(content), 'the stored meta equals a fresh parse');
  });

  test('fetch pages through a large mailbox', async (env) => {
    const count = 1200;
    const result = await env.user.append(INBOX, Array.from({ length: count }, (_, i) => ({ content: mail({ subject: `bulk ${i}` }) })));
    const { mailbox } = await env.open(INBOX);
    assert.equal(mailbox.snapshot.uids.length, count);
    const seen: number[] = [];
    for (let i = 0; i < count; i += 1000) {
      const page = await mailbox.fetch(mailbox.snapshot.uids.slice(i, i + 1000));
      seen.push(...page.map((r) => r.uid));
    }
    assert.deepEqual(seen, [...result.uids]);
  });

  test('EMAILID and THREADID are objectids, EMAILID unique per append, never equal to a THREADID', async (env) => {
    const uids = await env.append(INBOX, mail(), mail());
    const { mailbox } = await env.open(INBOX);
    const recs = await mailbox.fetch(uids);
    const objectId = /^[A-Za-z0-9_-]{1,255}$/;
    for (const r of recs) {
      assert.match(r.emailId, objectId);
      assert.match(r.threadId, objectId);
    }
    assert.notEqual(recs[0].emailId, recs[1].emailId);
    const emailIds = new Set(recs.map((r) => r.emailId));
    for (const r of recs) assert.ok(!emailIds.has(r.threadId), 'RFC 8474 section 5.2: EMAILID and THREADID values differ');
  });

  test('body read and stream give the same slices', async (env) => {
    const big = mail({ body: Array.from({ length: 20_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`).join('\r\n') });
    const [uid] = await env.append(INBOX, big);
    const { mailbox } = await env.open(INBOX);
    const body = await mailbox.body(uid);
    assert.equal(body.size, big.length);
    assert.ok((await body.read()).equals(big));
    assert.ok((await collect(body.stream())).equals(big), 'whole stream');
    const slices: [number, number][] = [
      [0, 10],
      [5, 70_000],
      [big.length - 3, big.length],
      [100, 100],
      [big.length - 10, big.length + 100],
    ];
    for (const [s, e] of slices) {
      const expected = big.subarray(s, Math.min(e, big.length));
      assert.ok((await body.read(s, e)).equals(expected), `read(${s}, ${e})`);
      assert.ok((await collect(body.stream(s, e))).equals(expected), `stream(${s}, ${e})`);
    }
  });

  test('body of an expunged message fails with notFound', async (env) => {
    const [uid] = await env.append(INBOX, mail());
    const { mailbox } = await env.open(INBOX);
    await mailbox.remove([uid]);
    await rejectsWith(mailbox.body(uid), 'notFound', 'body after expunge');
  });
}
