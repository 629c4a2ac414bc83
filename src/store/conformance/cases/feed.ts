/** The change feed: what opened mailboxes hear, when, and from whom. */
import assert from 'node:assert/strict';
import { INBOX } from '../../../core/mailbox-name.ts';
import { mail, ofType, type Register } from '../harness.ts';

/** Change feed rules of store/types.ts. */
export function feedCases(test: Register): void {
  test('the snapshot describes the mailbox when it was opened', async (env) => {
    const uids = await env.append(INBOX, { content: mail(), flags: ['\\Seen', '$Work'] }, mail(), mail());
    const status = await env.user.status(INBOX);
    const { mailbox } = await env.open(INBOX);
    const s = mailbox.snapshot;
    assert.deepEqual([...s.uids], uids);
    assert.equal(s.uidValidity, status.uidValidity);
    assert.equal(s.uidNext, status.uidNext);
    assert.equal(s.highestModseq, status.highestModseq);
    assert.equal(s.firstUnseenUid, uids[1]);
    assert.ok(s.keywords.includes('$Work'), 'keywords in use are listed');
    assert.equal(mailbox.info.name, INBOX);
    assert.equal(mailbox.info.id, status.id);
    assert.equal(mailbox.readOnly, false);
    const ro = await env.open(INBOX, { readOnly: true });
    assert.equal(ro.mailbox.readOnly, true);
    await env.user.createMailbox('Empty');
    assert.equal((await env.open('Empty')).mailbox.snapshot.firstUnseenUid, null);
  });

  test('onChange receives exactly the changes made after the snapshot', async (env) => {
    const [early] = await env.append(INBOX, mail());
    const { mailbox, changes } = await env.open(INBOX);
    assert.deepEqual([...mailbox.snapshot.uids], [early]);
    assert.deepEqual(changes, [], 'nothing from before the snapshot');
    const [late] = await env.append(INBOX, mail());
    assert.deepEqual(ofType(changes, 'append').flatMap((c) => [...c.uids]), [late]);
    assert.ok(late >= mailbox.snapshot.uidNext, 'a later message is at or above the snapshot UIDNEXT');
  });

  test('change records are delivered before the mutation resolves, in order', async (env) => {
    const { mailbox, changes } = await env.open(INBOX);
    const [uid] = await env.append(INBOX, mail());
    assert.deepEqual(changes.map((c) => c.type), ['append'], 'append record delivered before append resolved');
    await mailbox.storeFlags([uid], { op: 'add', flags: ['\\Deleted'] });
    assert.deepEqual(changes.map((c) => c.type), ['append', 'flags']);
    await mailbox.expunge();
    assert.deepEqual(changes.map((c) => c.type), ['append', 'flags', 'expunge']);
    const [append] = ofType(changes, 'append');
    const [flags] = ofType(changes, 'flags');
    const [expunge] = ofType(changes, 'expunge');
    assert.deepEqual([...append.uids], [uid]);
    assert.deepEqual(flags.updates.map((u) => u.uid), [uid]);
    assert.ok(flags.updates[0].flags.includes('\\Deleted'));
    assert.deepEqual([...expunge.uids], [uid]);
  });

  test('two opened mailboxes see each other\'s changes with the right origin', async (env) => {
    const [uid] = await env.append(INBOX, mail());
    const other = await env.session();
    const a = await env.open(INBOX);
    const b = await env.open(INBOX, { user: other });
    await a.mailbox.storeFlags([uid], { op: 'add', flags: ['\\Flagged'] });
    for (const side of [a, b]) {
      const [flags] = ofType(side.changes, 'flags');
      assert.ok(flags, 'both sides hear the flag change');
      assert.equal(flags.origin, a.mailbox, 'origin is the mailbox that made the change');
    }
    await b.mailbox.storeFlags([uid], { op: 'add', flags: ['\\Deleted'] });
    await b.mailbox.expunge([uid]);
    for (const side of [a, b]) {
      const [expunge] = ofType(side.changes, 'expunge');
      assert.ok(expunge, 'both sides hear the expunge');
      assert.equal(expunge.origin, b.mailbox);
    }
    await env.append(INBOX, mail());
    for (const side of [a, b]) {
      const [append] = ofType(side.changes, 'append');
      assert.ok(append, 'both sides hear a User.append');
      assert.ok(append.origin !== a.mailbox && append.origin !== b.mailbox, 'a User.append has no Mailbox origin');
    }
  });

  test('changes reach only the mailbox they happen in', async (env) => {
    await env.user.createMailbox('Other');
    const inbox = await env.open(INBOX);
    const other = await env.open('Other');
    await env.append('Other', mail());
    assert.deepEqual(inbox.changes, []);
    assert.equal(other.changes.length, 1);
  });

  test('a new keyword sends a keywords record before the flags record', async (env) => {
    const [uid] = await env.append(INBOX, { content: mail(), flags: ['$Old'] });
    const { mailbox, changes } = await env.open(INBOX);
    await mailbox.storeFlags([uid], { op: 'add', flags: ['$Fresh'] });
    assert.deepEqual(changes.map((c) => c.type), ['keywords', 'flags']);
    const [kw] = ofType(changes, 'keywords');
    assert.ok(kw.keywords.includes('$Old') && kw.keywords.includes('$Fresh'), 'the whole keyword list');
    changes.length = 0;
    // A keyword the mailbox already has: no keywords record.
    await mailbox.storeFlags([uid], { op: 'remove', flags: ['$Fresh'] });
    await mailbox.storeFlags([uid], { op: 'add', flags: ['$Fresh'] });
    assert.deepEqual(ofType(changes, 'keywords'), []);
    // A keyword arriving by append is announced too.
    await env.append(INBOX, { content: mail(), flags: ['$ByAppend'] });
    const types = changes.map((c) => c.type);
    assert.deepEqual(types.slice(-2), ['keywords', 'append']);
  });

  test('deleting or renaming an opened mailbox sends gone', async (env) => {
    await env.user.createMailbox('Doomed');
    await env.user.createMailbox('Moving/kid');
    const doomed = await env.open('Doomed');
    const moving = await env.open('Moving');
    const kid = await env.open('Moving/kid');
    const inbox = await env.open(INBOX);
    await env.user.deleteMailbox('Doomed');
    assert.deepEqual(doomed.changes.map((c) => c.type), ['gone'], 'gone delivered before delete resolved');
    await env.user.renameMailbox('Moving', 'Moved');
    assert.deepEqual(moving.changes.map((c) => c.type), ['gone']);
    assert.deepEqual(kid.changes.map((c) => c.type), ['gone'], 'children renamed away are gone too');
    assert.deepEqual(inbox.changes, []);
  });

  test('renaming INBOX tells INBOX listeners the messages were expunged', async (env) => {
    const uids = await env.append(INBOX, mail(), mail());
    const { changes } = await env.open(INBOX);
    await env.user.renameMailbox(INBOX, 'Archive 2020');
    const expunged = ofType(changes, 'expunge').flatMap((c) => [...c.uids]);
    assert.deepEqual(expunged.sort((x, y) => x - y), uids);
    assert.deepEqual(ofType(changes, 'gone'), [], 'INBOX itself is not gone');
  });

  test('close stops the change feed', async (env) => {
    const { mailbox, changes } = await env.open(INBOX);
    await mailbox.close();
    await env.append(INBOX, mail());
    assert.deepEqual(changes, []);
  });

  test('a listener that throws breaks neither the mutation nor other listeners', async (env) => {
    const thrower = await env.user.openMailbox(INBOX, {
      readOnly: false,
      onChange: () => {
        throw new Error('listener bug');
      },
    });
    env.defer(() => thrower.close());
    const { changes } = await env.open(INBOX);
    const [uid] = await env.append(INBOX, mail());
    assert.ok(uid > 0);
    assert.equal(changes.length, 1);
  });
}
