/**
 * Behaviour the stores once differed on, as decided for the contract (store/types.ts). Each test says
 * where the decision comes from: RFC 3501 first, then later RFCs, then what Dovecot does.
 */
import assert from 'node:assert/strict';
import { hashPassword } from '../../../auth/password.ts';
import { INBOX } from '../../../core/mailbox-name.ts';
import { hasAccountAdmin, type SpecialUse } from '../../types.ts';
import { mail, ofType, rejectsWith, type Env, type Register } from '../harness.ts';

/** Cheap scrypt cost for tests only. */
const TEST_COST = { ln: 4, r: 8, p: 1 } as const;

async function names(env: Env): Promise<string[]> {
  return (await env.user.listMailboxes()).map((b) => b.name).sort();
}

/** The decided edge cases. */
export function decidedCases(test: Register): void {
  test('createMailbox drops one trailing separator; rename does not', async (env) => {
    // RFC 3501 section 6.3.3: "a/" declares the intent to create children; the mailbox created is "a".
    const info = await env.user.createMailbox('Projects/');
    assert.equal(info.name, 'Projects');
    await env.user.createMailbox('Projects/2024/');
    assert.deepEqual(await names(env), [INBOX, 'Projects', 'Projects/2024']);
    await rejectsWith(env.user.createMailbox('Projects/'), 'exists', 'the same mailbox again');
    await rejectsWith(env.user.createMailbox('inbox/'), 'exists', 'INBOX with the declaration');
    // Only one separator is a declaration: what is left must still be a valid name.
    await rejectsWith(env.user.createMailbox('Twice//'), 'invalid', 'two trailing separators');
    await rejectsWith(env.user.createMailbox('/'), 'invalid', 'a lone separator');
    // RENAME has no such rule (Dovecot: "Invalid mailbox name: Ends with hierarchy separator").
    await rejectsWith(env.user.renameMailbox('Projects/2024', 'Done/'), 'invalid', 'rename target with a trailing separator');
    assert.deepEqual(await names(env), [INBOX, 'Projects', 'Projects/2024']);
  });

  test('createMailbox refuses an unknown special-use attribute and creates nothing', async (env) => {
    // RFC 6154 section 3: a special use that cannot be set fails the CREATE; the mailbox MUST NOT be created.
    const bogus = ['\\Sent', '\\Bogus'] as unknown as SpecialUse[];
    await rejectsWith(env.user.createMailbox('Odd/Child', { specialUse: bogus }), 'invalid', 'unknown attribute');
    assert.deepEqual(await names(env), [INBOX], 'neither the mailbox nor its parent');
    await rejectsWith(env.user.createMailbox('Odd', { specialUse: ['sent' as SpecialUse] }), 'invalid', 'attribute without backslash');
    // Known attributes are kept once each.
    const info = await env.user.createMailbox('Bin', { specialUse: ['\\Trash', '\\Trash'] });
    assert.deepEqual([...info.specialUse], ['\\Trash']);
    assert.deepEqual((await env.user.listMailboxes()).find((b) => b.name === 'Bin')?.specialUse, ['\\Trash']);
  });

  test('remove reports values that cannot be UIDs as missing and removes nothing', async (env) => {
    const uids = await env.append(INBOX, mail(), mail());
    const { mailbox, changes } = await env.open(INBOX);
    // UIDs are 32-bit nz-numbers (RFC 3501 section 2.3.1.1): these name no message, like an unknown UID.
    for (const bad of [0, 1.5, -1, Number.NaN, 2 ** 32]) {
      await rejectsWith(mailbox.remove([uids[0], bad]), 'notFound', `remove with ${bad}`);
    }
    assert.deepEqual(changes, []);
    assert.equal((await env.user.status(INBOX)).messages, 2, 'nothing removed');
    // The other calls skip them, as they skip unknown UIDs.
    assert.deepEqual((await mailbox.fetch([0, 1.5, uids[1]])).map((r) => r.uid), [uids[1]]);
    assert.deepEqual(await mailbox.remove([uids[1], uids[1]]), [uids[1]]);
  });

  test('subscriptions stay where they are when a mailbox is renamed', async (env) => {
    // RFC 9051 section 6.3.6: RENAME does not update subscriptions; RFC 3501 section 6.3.9: the server
    // never removes a subscribed name by itself. Dovecot 2.3 leaves them too.
    await env.user.createMailbox('Old/Child');
    await env.user.createMailbox('Oldish');
    for (const n of ['Old', 'Old/Child', 'Old/Ghost', 'Oldish']) await env.user.setSubscribed(n, true);
    await env.user.renameMailbox('Old', 'New/Place');
    assert.deepEqual((await env.user.listSubscriptions()).sort(), ['Old', 'Old/Child', 'Old/Ghost', 'Oldish']);
    const listed = await env.user.listMailboxes();
    assert.equal(listed.find((b) => b.name === 'New/Place')?.subscribed, false);
    assert.equal(listed.find((b) => b.name === 'New/Place/Child')?.subscribed, false);
    assert.equal(listed.find((b) => b.name === 'Oldish')?.subscribed, true);
    // A mailbox re-created under the old name is subscribed again, since the name is.
    await env.user.createMailbox('Old');
    assert.equal((await env.user.listMailboxes()).find((b) => b.name === 'Old')?.subscribed, true);
    // Renaming INBOX leaves its subscription too: INBOX still exists.
    await env.user.setSubscribed(INBOX, true);
    await env.user.renameMailbox(INBOX, 'Saved');
    assert.deepEqual((await env.user.listSubscriptions()).sort(), [INBOX, 'Old', 'Old/Child', 'Old/Ghost', 'Oldish']);
  });

  test('account names: any non-empty UTF-8 without controls or white space, up to 256 octets', async (env) => {
    if (!hasAccountAdmin(env.backend)) {
      env.t.skip('the store does not implement AccountAdmin');
      return;
    }
    const a = env.backend;
    const hash = await hashPassword('pw', TEST_COST);
    // Allowed: local@domain, plus and dot, non-ASCII (RFC 6855), exactly 256 octets.
    const long = 'l'.repeat(250) + '\u00e9\u00e9\u00e9'; // 250 + 3 * 2 octets
    for (const name of ['d.user+tag@example.org', 'j\u00fcrgen', '\u7528\u6237', long]) {
      await a.createAccount(name, hash);
      assert.equal(await a.accountExists(name), true, name);
      const user = await a.login(name, 'pw', { protocol: 'cli', secure: true });
      assert.equal(user.username, name);
      await user.close();
    }
    const refused = ['', 'two words', 'tab\there', 'line\nbreak', 'nul\u0000', 'del\u007f', 'nbsp\u00a0x', 'ls\u2028x', 'lone\ud800', long + 'x'];
    for (const name of refused) await rejectsWith(a.createAccount(name, hash), 'invalid', JSON.stringify(name));
    for (const name of refused) assert.equal(await a.accountExists(name), false, JSON.stringify(name));
  });

  test('an empty message cannot be appended, alone or among others', async (env) => {
    // Dovecot refuses an empty APPEND ("Can't save a zero byte message"); RFC 5322 section 3.6 requires a
    // Date and a From field, so zero octets are not a message.
    const before = await env.user.status(INBOX);
    await rejectsWith(env.append(INBOX, Buffer.alloc(0)), 'invalid', 'empty message');
    await rejectsWith(env.append(INBOX, mail(), Buffer.alloc(0)), 'invalid', 'empty message in a MULTIAPPEND');
    const after = await env.user.status(INBOX);
    assert.equal(after.messages, 0, 'all or nothing');
    assert.equal(after.uidNext, before.uidNext);
    // The smallest non-empty message is fine (Dovecot accepts a lone CRLF).
    assert.equal((await env.append(INBOX, Buffer.from('\r\n'))).length, 1);
  });

  test('after gone a listener hears nothing more, even from the renamed mailbox', async (env) => {
    await env.user.createMailbox('Moving/kid');
    const moving = await env.open('Moving');
    const kid = await env.open('Moving/kid');
    await env.user.renameMailbox('Moving', 'Moved');
    assert.deepEqual(moving.changes.map((c) => c.type), ['gone']);
    // The renamed mailboxes keep their identity (RFC 8474 MAILBOXID) and live on under the new names.
    await env.append('Moved', mail());
    await env.append('Moved/kid', mail());
    await env.user.createMailbox('Moving');
    await env.append('Moving', mail());
    assert.deepEqual(moving.changes.map((c) => c.type), ['gone'], 'nothing after gone');
    assert.deepEqual(kid.changes.map((c) => c.type), ['gone'], 'nothing after gone for a child either');
    // A mailbox opened under the new name hears its changes.
    const moved = await env.open('Moved');
    await env.append('Moved', mail());
    assert.deepEqual(ofType(moved.changes, 'append').length, 1);
  });
}
