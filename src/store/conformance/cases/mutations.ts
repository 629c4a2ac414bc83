/** STORE, COPY, MOVE, EXPUNGE, remove, read-only refusal and the expunge log. */
import assert from 'node:assert/strict';
import { INBOX } from '../../../core/mailbox-name.ts';
import { hasExpungeLog, isMovable } from '../../types.ts';
import { mail, ofType, rejectsWith, sortedFlags, type Register } from '../harness.ts';

/** Mailbox.storeFlags. */
export function flagCases(test: Register): void {
  test('storeFlags set, add and remove', async (env) => {
    const [a, b] = await env.append(INBOX, { content: mail(), flags: ['\\Seen'] }, mail());
    const { mailbox } = await env.open(INBOX);
    const added = await mailbox.storeFlags([a, b], { op: 'add', flags: ['\\Flagged', '$Todo'] });
    assert.deepEqual(added.updated.map((u) => u.uid), [a, b]);
    assert.deepEqual(sortedFlags(added.updated[0].flags), sortedFlags(['\\Seen', '\\Flagged', '$Todo']));
    assert.deepEqual(added.modified, []);
    const removed = await mailbox.storeFlags([a, b], { op: 'remove', flags: ['\\seen', '$todo'] });
    assert.deepEqual(sortedFlags(removed.updated.find((u) => u.uid === a)?.flags ?? []), ['\\Flagged']);
    const set = await mailbox.storeFlags([b], { op: 'set', flags: ['\\Answered', '$Done'] });
    assert.deepEqual(sortedFlags(set.updated[0].flags), sortedFlags(['\\Answered', '$Done']));
    const recs = await mailbox.fetch([a, b]);
    assert.deepEqual(sortedFlags(recs[0].flags), ['\\Flagged']);
    assert.deepEqual(sortedFlags(recs[1].flags), sortedFlags(['\\Answered', '$Done']));
    const cleared = await mailbox.storeFlags([a], { op: 'set', flags: [] });
    assert.deepEqual(cleared.updated[0].flags, []);
  });

  test('messages whose flags do not change are not reported and keep their MODSEQ', async (env) => {
    const [a, b] = await env.append(INBOX, { content: mail(), flags: ['\\Seen'] }, mail());
    const { mailbox, changes } = await env.open(INBOX);
    const before = await mailbox.fetch([a]);
    const result = await mailbox.storeFlags([a, b], { op: 'add', flags: ['\\Seen'] });
    assert.deepEqual(result.updated.map((u) => u.uid), [b]);
    assert.equal((await mailbox.fetch([a]))[0].modseq, before[0].modseq);
    const none = await mailbox.storeFlags([a], { op: 'remove', flags: ['$Absent'] });
    assert.deepEqual(none.updated, []);
    assert.equal(ofType(changes, 'flags').length, 1, 'no record for a change that changed nothing');
    // Unknown UIDs are ignored.
    assert.deepEqual((await mailbox.storeFlags([999_999], { op: 'add', flags: ['\\Seen'] })).updated, []);
  });

  test('unchangedSince refuses messages modified after it', async (env) => {
    const [a, b] = await env.append(INBOX, mail(), mail());
    const { mailbox } = await env.open(INBOX);
    const [ra] = await mailbox.fetch([a]);
    await mailbox.storeFlags([b], { op: 'add', flags: ['\\Flagged'] });
    const [rb] = await mailbox.fetch([b]);
    // b changed after ra.modseq; a did not.
    const result = await mailbox.storeFlags([a, b], { op: 'add', flags: ['\\Seen'], unchangedSince: ra.modseq });
    assert.deepEqual(result.updated.map((u) => u.uid), [a]);
    assert.deepEqual(result.modified, [b]);
    assert.deepEqual((await mailbox.fetch([b]))[0].flags, rb.flags, 'refused message untouched');
    assert.equal((await mailbox.fetch([b]))[0].modseq, rb.modseq);
    // RFC 7162 section 3.1.3: UNCHANGEDSINCE 0 always fails.
    const zero = await mailbox.storeFlags([a], { op: 'add', flags: ['$X'], unchangedSince: 0 });
    assert.deepEqual(zero.updated, []);
    assert.deepEqual(zero.modified, [a]);
  });

  test('\\Recent is never stored', async (env) => {
    const [uid] = await env.append(INBOX, { content: mail(), flags: ['\\Recent', '\\Seen'] });
    const { mailbox } = await env.open(INBOX);
    assert.deepEqual((await mailbox.fetch([uid]))[0].flags, ['\\Seen']);
    await mailbox.storeFlags([uid], { op: 'add', flags: ['\\Recent'] });
    await mailbox.storeFlags([uid], { op: 'set', flags: ['\\Recent', '\\Answered'] });
    assert.deepEqual((await mailbox.fetch([uid]))[0].flags, ['\\Answered']);
  });

  test('a read-only mailbox refuses changes with noPermission but reads and copies', async (env) => {
    const [uid] = await env.append(INBOX, { content: mail(), flags: ['\\Deleted'] });
    await env.user.createMailbox('Dest');
    const { mailbox, changes } = await env.open(INBOX, { readOnly: true });
    await rejectsWith(mailbox.storeFlags([uid], { op: 'add', flags: ['\\Seen'] }), 'noPermission', 'storeFlags');
    await rejectsWith(mailbox.expunge(), 'noPermission', 'expunge');
    await rejectsWith(mailbox.remove([uid]), 'noPermission', 'remove');
    if (isMovable(mailbox)) await rejectsWith(mailbox.move([uid], 'Dest'), 'noPermission', 'move');
    assert.deepEqual(changes, []);
    assert.equal((await mailbox.fetch([uid])).length, 1);
    assert.deepEqual(await mailbox.search({ type: 'all' }), [uid]);
    const copied = await mailbox.copy([uid], 'Dest');
    assert.equal(copied.destinationUids.length, 1, 'COPY from a read-only mailbox is allowed');
    assert.equal((await env.user.status(INBOX)).messages, 1);
  });
}

/** COPY and MOVE. */
export function copyCases(test: Register): void {
  test('copy pairs source and destination UIDs and keeps flags, dates, bytes and EMAILID', async (env) => {
    const date = new Date('2019-09-09T09:09:09.000Z');
    const content = mail({ subject: 'copy me' });
    const uids = await env.append(INBOX, { content, flags: ['\\Flagged', '$Keep'], internalDate: date }, mail(), mail());
    const dest = await env.user.createMailbox('Copies');
    const destination = await env.open('Copies');
    const { mailbox, changes } = await env.open(INBOX);
    const result = await mailbox.copy([uids[2], uids[0], 424242], 'Copies');
    assert.equal(result.uidValidity, (await env.user.status('Copies')).uidValidity);
    assert.deepEqual([...result.sourceUids], [uids[0], uids[2]], 'ascending source order, missing UIDs skipped');
    assert.equal(result.destinationUids.length, 2);
    assert.ok(result.destinationUids[1] > result.destinationUids[0]);
    assert.deepEqual(changes, [], 'the source does not change');
    const [append] = ofType(destination.changes, 'append');
    assert.deepEqual([...append.uids], [...result.destinationUids]);
    assert.equal(append.origin, mailbox);
    const copied = await destination.mailbox.fetch([result.destinationUids[0]]);
    const original = await mailbox.fetch([uids[0]]);
    assert.deepEqual(sortedFlags(copied[0].flags), sortedFlags(['\\Flagged', '$Keep']));
    assert.equal(copied[0].internalDate.getTime(), date.getTime());
    assert.equal(copied[0].emailId, original[0].emailId, 'RFC 8474: a copy keeps EMAILID');
    assert.equal(copied[0].threadId, original[0].threadId, 'same EMAILID, same THREADID');
    assert.ok((await (await destination.mailbox.body(result.destinationUids[0])).read()).equals(content));
    // Pairs by index: each destination message is its source message.
    for (let i = 0; i < result.sourceUids.length; i++) {
      const src = await (await mailbox.body(result.sourceUids[i])).read();
      const dst = await (await destination.mailbox.body(result.destinationUids[i])).read();
      assert.ok(src.equals(dst), `pair ${i}`);
    }
    assert.equal((await env.user.status(INBOX)).messages, 3);
    assert.equal(dest.name, 'Copies');
  });

  test('copy to a missing mailbox fails with notFound (TRYCREATE)', async (env) => {
    const [uid] = await env.append(INBOX, mail());
    const { mailbox } = await env.open(INBOX);
    await rejectsWith(mailbox.copy([uid], 'Nowhere'), 'notFound', 'copy');
    if (isMovable(mailbox)) await rejectsWith(mailbox.move([uid], 'Nowhere'), 'notFound', 'move');
    assert.equal((await env.user.status(INBOX)).messages, 1);
  });

  test('move copies, expunges from the source and tells source listeners', async (env) => {
    const uids = await env.append(INBOX, { content: mail(), flags: ['$Tag'] }, mail(), mail());
    await env.user.createMailbox('Moved');
    const { mailbox, changes } = await env.open(INBOX);
    if (!isMovable(mailbox)) {
      env.t.skip('the store does not implement MovableMailbox');
      return;
    }
    const watcher = await env.open(INBOX, { user: await env.session() });
    const destination = await env.open('Moved');
    const [before] = await mailbox.fetch([uids[0]]);
    const result = await mailbox.move([uids[0], uids[2]], 'Moved');
    assert.deepEqual([...result.sourceUids], [uids[0], uids[2]]);
    assert.equal(result.destinationUids.length, 2);
    for (const side of [changes, watcher.changes]) {
      const expunged = ofType(side, 'expunge');
      assert.deepEqual(expunged.flatMap((c) => [...c.uids]), [uids[0], uids[2]]);
      assert.equal(expunged[0].origin, mailbox);
    }
    assert.deepEqual(ofType(destination.changes, 'append').flatMap((c) => [...c.uids]), [...result.destinationUids]);
    assert.deepEqual((await mailbox.fetch(uids)).map((r) => r.uid), [uids[1]]);
    const [moved] = await destination.mailbox.fetch([result.destinationUids[0]]);
    assert.equal(moved.emailId, before.emailId, 'RFC 8474: a move keeps EMAILID');
    assert.deepEqual(moved.flags, ['$Tag']);
    assert.equal((await env.user.status('Moved')).messages, 2);
  });
}

/** EXPUNGE and remove. */
export function expungeCases(test: Register): void {
  test('expunge removes only \\Deleted messages, among the given UIDs when given', async (env) => {
    const uids = await env.append(
      INBOX,
      { content: mail(), flags: ['\\Deleted'] },
      mail(),
      { content: mail(), flags: ['\\Deleted'] },
      { content: mail(), flags: ['\\Deleted'] },
    );
    const { mailbox, changes } = await env.open(INBOX);
    assert.deepEqual(await mailbox.expunge([uids[0], uids[1]]), [uids[0]], 'UID EXPUNGE limits to the given UIDs');
    assert.deepEqual(await mailbox.expunge(), [uids[2], uids[3]]);
    assert.deepEqual(await mailbox.expunge(), [], 'nothing left to expunge');
    assert.deepEqual(
      ofType(changes, 'expunge').map((c) => [...c.uids]),
      [[uids[0]], [uids[2], uids[3]]],
      'one record per expunge that removed something',
    );
    assert.deepEqual((await mailbox.fetch(uids)).map((r) => r.uid), [uids[1]]);
    assert.equal((await env.user.status(INBOX)).messages, 1);
  });

  test('remove deletes the given messages whatever their flags, all or nothing', async (env) => {
    const uids = await env.append(INBOX, mail(), mail(), mail());
    const { mailbox } = await env.open(INBOX);
    await rejectsWith(mailbox.remove([uids[0], 999_999]), 'notFound', 'remove with a missing UID');
    assert.equal((await env.user.status(INBOX)).messages, 3, 'nothing removed');
    assert.deepEqual(await mailbox.remove([uids[2], uids[0]]), [uids[0], uids[2]]);
    assert.deepEqual((await mailbox.fetch(uids)).map((r) => r.uid), [uids[1]]);
    await rejectsWith(mailbox.remove([uids[0]]), 'notFound', 'removing twice');
  });

  test('expungedSince lists UIDs expunged after a MODSEQ', async (env) => {
    const uids = await env.append(INBOX, mail(), mail(), mail());
    const { mailbox } = await env.open(INBOX);
    if (!hasExpungeLog(mailbox)) {
      env.t.skip('the store does not implement ExpungeLogMailbox');
      return;
    }
    const m0 = (await env.user.status(INBOX)).highestModseq;
    await mailbox.remove([uids[1]]);
    const m1 = (await env.user.status(INBOX)).highestModseq;
    await mailbox.remove([uids[0]]);
    assert.deepEqual(await mailbox.expungedSince(m0), [uids[0], uids[1]]);
    const sinceM1 = await mailbox.expungedSince(m1);
    assert.ok(sinceM1.includes(uids[0]), 'the later expunge is listed');
    assert.ok(!sinceM1.includes(uids[2]), 'an existing message is never listed');
  });
}
