/** Mailboxes, hierarchy, rename, subscriptions and STATUS. */
import assert from 'node:assert/strict';
import { INBOX } from '../../../core/mailbox-name.ts';
import { mail, rejectsWith, type Env, type Register } from '../harness.ts';

async function names(env: Env): Promise<string[]> {
  return (await env.user.listMailboxes()).map((b) => b.name).sort();
}

/** Mailbox life cycle. */
export function mailboxCases(test: Register): void {
  test('a new account has exactly INBOX', async (env) => {
    assert.deepEqual(await names(env), [INBOX]);
    const status = await env.user.status(INBOX);
    assert.equal(status.messages, 0);
    assert.ok(status.uidValidity > 0 && status.uidValidity <= 0xffffffff, 'UIDVALIDITY is a 32-bit nz-number');
    assert.ok(status.uidNext >= 1);
    assert.ok(status.highestModseq >= 1, 'mod-sequences are positive (RFC 7162)');
    assert.match(status.id, /^[A-Za-z0-9_-]{1,255}$/, 'MAILBOXID is an RFC 8474 objectid');
  });

  test('INBOX is case-insensitive everywhere', async (env) => {
    await env.append('inbox', mail());
    assert.equal((await env.user.status('InBoX')).messages, 1);
    const { mailbox } = await env.open('iNbOx');
    assert.equal(mailbox.info.name, INBOX);
    assert.equal(mailbox.snapshot.uids.length, 1);
    await rejectsWith(env.user.createMailbox('Inbox'), 'exists', 'creating inbox');
    await env.user.createMailbox('inbox/Child');
    assert.deepEqual(await names(env), [INBOX, 'INBOX/Child']);
    // Other names are case-sensitive.
    await env.user.createMailbox('Work');
    await env.user.createMailbox('work');
    assert.deepEqual(await names(env), [INBOX, 'INBOX/Child', 'Work', 'work']);
  });

  test('createMailbox creates missing parents and returns the mailbox info', async (env) => {
    const info = await env.user.createMailbox('a/b/c', { specialUse: ['\\Archive'] });
    assert.equal(info.name, 'a/b/c');
    assert.deepEqual([...info.specialUse], ['\\Archive']);
    assert.match(info.id, /^[A-Za-z0-9_-]{1,255}$/);
    assert.deepEqual(await names(env), [INBOX, 'a', 'a/b', 'a/b/c']);
    const listed = (await env.user.listMailboxes()).find((b) => b.name === 'a/b/c');
    assert.equal(listed?.id, info.id);
    assert.deepEqual(listed?.specialUse, ['\\Archive']);
    // A parent that already exists is fine; the child is new.
    await env.user.createMailbox('a/d');
    assert.deepEqual(await names(env), [INBOX, 'a', 'a/b', 'a/b/c', 'a/d']);
  });

  test('mailbox names are UTF-8 and kept exactly', async (env) => {
    const name = 'Entw\u00fcrfe/\u65e5\u672c\u8a9e & Co';
    await env.user.createMailbox(name);
    await env.append(name, mail());
    assert.deepEqual(await names(env), [INBOX, 'Entw\u00fcrfe', name].sort());
    assert.equal((await env.user.status(name)).messages, 1);
    assert.equal((await env.open(name)).mailbox.info.name, name);
  });

  test('createMailbox of an existing name fails with exists', async (env) => {
    await env.user.createMailbox('Dup');
    await rejectsWith(env.user.createMailbox('Dup'), 'exists', 'second create');
    await rejectsWith(env.user.createMailbox(INBOX), 'exists', 'creating INBOX');
  });

  test('MAILBOXID and UIDVALIDITY are never reused by a re-created mailbox', async (env) => {
    const first = await env.user.status((await env.user.createMailbox('Again')).name);
    await env.user.deleteMailbox('Again');
    const second = await env.user.status((await env.user.createMailbox('Again')).name);
    assert.notEqual(second.id, first.id);
    assert.notEqual(second.uidValidity, first.uidValidity, 'RFC 3501 section 2.3.1.1');
    const ids = (await env.user.listMailboxes()).map((b) => b.id);
    assert.equal(new Set(ids).size, ids.length, 'MAILBOXIDs are unique');
  });

  test('deleteMailbox removes the mailbox and its messages; children stay', async (env) => {
    await env.user.createMailbox('p/q');
    await env.append('p', mail(), mail());
    await env.user.deleteMailbox('p');
    assert.deepEqual(await names(env), [INBOX, 'p/q']);
    await rejectsWith(env.user.status('p'), 'notFound', 'status of deleted');
    await env.user.createMailbox('p');
    assert.equal((await env.user.status('p')).messages, 0, 'a re-created mailbox is empty');
  });

  test('deleting INBOX fails with noPermission', async (env) => {
    await rejectsWith(env.user.deleteMailbox(INBOX), 'noPermission', 'delete INBOX');
    await rejectsWith(env.user.deleteMailbox('inbox'), 'noPermission', 'delete inbox');
    assert.deepEqual(await names(env), [INBOX]);
  });

  test('missing mailboxes are notFound for delete, rename, status, append and open', async (env) => {
    await rejectsWith(env.user.deleteMailbox('nope'), 'notFound', 'delete');
    await rejectsWith(env.user.renameMailbox('nope', 'other'), 'notFound', 'rename');
    await rejectsWith(env.user.status('nope'), 'notFound', 'status');
    await rejectsWith(env.user.append('nope', [{ content: mail() }]), 'notFound', 'append');
    await rejectsWith(env.user.openMailbox('nope', { readOnly: false, onChange: () => {} }), 'notFound', 'open');
  });

  test('renameMailbox renames children and keeps messages, MAILBOXID and UIDs', async (env) => {
    await env.user.createMailbox('old/child/grand');
    const uids = await env.append('old', mail(), mail());
    await env.append('old/child', mail());
    const before = await env.user.status('old');
    await env.user.renameMailbox('old', 'new/place');
    assert.deepEqual(await names(env), [INBOX, 'new', 'new/place', 'new/place/child', 'new/place/child/grand']);
    const after = await env.user.status('new/place');
    assert.equal(after.id, before.id, 'RFC 8474: MAILBOXID survives a rename');
    assert.equal(after.messages, 2);
    assert.equal((await env.user.status('new/place/child')).messages, 1);
    const { mailbox } = await env.open('new/place');
    if (mailbox.snapshot.uidValidity === before.uidValidity) assert.deepEqual([...mailbox.snapshot.uids], uids);
    await rejectsWith(env.user.status('old'), 'notFound', 'old name');
  });

  test('renaming onto an existing name fails with exists and changes nothing', async (env) => {
    await env.user.createMailbox('x');
    await env.user.createMailbox('y');
    await env.append('x', mail());
    await rejectsWith(env.user.renameMailbox('x', 'y'), 'exists', 'rename onto existing');
    await rejectsWith(env.user.renameMailbox('x', INBOX), 'exists', 'rename onto INBOX');
    assert.deepEqual(await names(env), [INBOX, 'x', 'y']);
    assert.equal((await env.user.status('x')).messages, 1);
  });

  test('renaming INBOX moves its messages to a new mailbox and leaves INBOX empty', async (env) => {
    await env.user.createMailbox('INBOX/kid');
    await env.append(INBOX, { content: mail({ subject: 'one' }), flags: ['\\Seen'] }, mail({ subject: 'two' }));
    const inboxBefore = await env.user.status(INBOX);
    await env.user.renameMailbox(INBOX, 'Old Mail');
    const moved = await env.user.status('Old Mail');
    assert.equal(moved.messages, 2);
    assert.equal(moved.unseen, 1, 'flags move with the messages');
    assert.notEqual(moved.id, inboxBefore.id, 'RFC 8474: INBOX rename creates a new mailbox');
    const inbox = await env.user.status(INBOX);
    assert.equal(inbox.messages, 0);
    assert.equal(inbox.id, inboxBefore.id);
    assert.ok(inbox.uidNext >= inboxBefore.uidNext, 'INBOX UIDs are not reused');
    // RFC 3501 section 6.3.5: inferior names of INBOX are unaffected.
    assert.deepEqual(await names(env), [INBOX, 'INBOX/kid', 'Old Mail']);
  });
}

/** Subscriptions (RFC 3501 sections 6.3.6, 6.3.7, 6.3.9). */
export function subscriptionCases(test: Register): void {
  test('subscriptions may name mailboxes that do not exist', async (env) => {
    await env.user.setSubscribed('ghost/mailbox', true);
    assert.deepEqual(await env.user.listSubscriptions(), ['ghost/mailbox']);
    assert.deepEqual(await names(env), [INBOX], 'subscribing creates nothing');
  });

  test('subscribe and unsubscribe show in listSubscriptions and listMailboxes', async (env) => {
    await env.user.createMailbox('Lists');
    await env.user.setSubscribed('Lists', true);
    await env.user.setSubscribed('inbox', true);
    await env.user.setSubscribed('Lists', true); // twice is once
    assert.deepEqual((await env.user.listSubscriptions()).sort(), [INBOX, 'Lists']);
    const lists = (await env.user.listMailboxes()).find((b) => b.name === 'Lists');
    assert.equal(lists?.subscribed, true);
    await env.user.setSubscribed('Lists', false);
    await env.user.setSubscribed('never-subscribed', false);
    assert.deepEqual(await env.user.listSubscriptions(), [INBOX]);
    assert.equal((await env.user.listMailboxes()).find((b) => b.name === 'Lists')?.subscribed, false);
  });

  test('deleting a mailbox keeps its subscription', async (env) => {
    await env.user.createMailbox('Gone');
    await env.user.setSubscribed('Gone', true);
    await env.user.deleteMailbox('Gone');
    // RFC 3501 section 6.3.9: the server MUST NOT unilaterally remove a subscribed name.
    assert.deepEqual(await env.user.listSubscriptions(), ['Gone']);
  });
}

/** STATUS. */
export function statusCases(test: Register): void {
  test('STATUS counts messages, unseen, deleted and size', async (env) => {
    const a = mail({ body: 'a' });
    const b = mail({ body: 'bb' });
    const c = mail({ body: 'ccc' });
    await env.append(INBOX, { content: a, flags: ['\\Seen'] }, { content: b, flags: ['\\Deleted'] }, { content: c, flags: ['\\Seen', '\\Deleted'] });
    const s = await env.user.status(INBOX);
    assert.equal(s.messages, 3);
    assert.equal(s.unseen, 1);
    assert.equal(s.deleted, 2);
    assert.equal(s.size, a.length + b.length + c.length);
    assert.equal(s.id, (await env.user.listMailboxes()).find((m) => m.name === INBOX)?.id);
  });

  test('STATUS UIDNEXT and HIGHESTMODSEQ grow with appends', async (env) => {
    const before = await env.user.status(INBOX);
    const [uid] = await env.append(INBOX, mail());
    const after = await env.user.status(INBOX);
    assert.ok(uid >= before.uidNext, 'the new UID is at least the old UIDNEXT');
    assert.ok(after.uidNext > uid, 'UIDNEXT is above every UID');
    assert.ok(after.highestModseq > before.highestModseq);
    assert.equal(after.uidValidity, before.uidValidity);
  });
}
