/** Login (Backend) and account administration (optional AccountAdmin). */
import assert from 'node:assert/strict';
import { hashPassword } from '../../../auth/password.ts';
import { INBOX } from '../../../core/mailbox-name.ts';
import { hasAccountAdmin, type AccountAdmin, type Backend } from '../../types.ts';
import { CONFORMANCE_CONNECTION, mail, rejectsWith, type Env, type Register } from '../harness.ts';

/** Cheap scrypt cost for tests only: the suite checks the plumbing, not the hash strength. */
const TEST_COST = { ln: 4, r: 8, p: 1 } as const;

function admin(env: Env): (Backend & AccountAdmin) | null {
  if (hasAccountAdmin(env.backend)) return env.backend;
  env.t.skip('the store does not implement AccountAdmin');
  return null;
}

/** Backend.login and openUser. */
export function loginCases(test: Register): void {
  test('login with the right password opens the account', async (env) => {
    assert.equal(env.user.username, env.fixture.username);
    const again = await env.session();
    assert.equal(again.username, env.fixture.username);
  });

  test('login with a wrong password fails with authFailed', async (env) => {
    await rejectsWith(env.backend.login(env.fixture.username, env.fixture.password + 'x', CONFORMANCE_CONNECTION), 'authFailed', 'wrong password');
    await rejectsWith(env.backend.login(env.fixture.username, '', CONFORMANCE_CONNECTION), 'authFailed', 'empty password');
  });

  test('login with an unknown user fails with authFailed', async (env) => {
    await rejectsWith(env.backend.login('no-such-user-' + env.fixture.username, env.fixture.password, CONFORMANCE_CONNECTION), 'authFailed', 'unknown user');
  });

  test('openUser opens a known account and resolves null for an unknown one', async (env) => {
    if (!env.backend.openUser) {
      env.t.skip('the store does not implement openUser');
      return;
    }
    const user = await env.backend.openUser(env.fixture.username, CONFORMANCE_CONNECTION);
    assert.ok(user);
    env.defer(() => user.close());
    assert.equal(user.username, env.fixture.username);
    // The same account: a message appended by one is seen by the other.
    await env.append(INBOX, mail());
    assert.equal((await user.status(INBOX)).messages, 1);
    assert.equal(await env.backend.openUser('no-such-user-' + env.fixture.username, CONFORMANCE_CONNECTION), null);
  });
}

/** AccountAdmin, when the store implements it. */
export function adminCases(test: Register): void {
  test('createAccount makes an account with an empty INBOX that can log in', async (env) => {
    const a = admin(env);
    if (!a) return;
    const name = 'conformance-new-' + env.fixture.username;
    await a.createAccount(name, await hashPassword('s3cret', TEST_COST));
    assert.equal(await a.accountExists(name), true);
    const user = await a.login(name, 's3cret', CONFORMANCE_CONNECTION);
    env.defer(() => user.close());
    const boxes = await user.listMailboxes();
    assert.deepEqual(boxes.map((b) => b.name), [INBOX]);
    assert.equal((await user.status(INBOX)).messages, 0);
    await rejectsWith(a.login(name, 'wrong', CONFORMANCE_CONNECTION), 'authFailed', 'wrong password of a hashed account');
  });

  test('createAccount of a taken name fails with exists', async (env) => {
    const a = admin(env);
    if (!a) return;
    await rejectsWith(a.createAccount(env.fixture.username, await hashPassword('x', TEST_COST)), 'exists', 'existing account');
  });

  test('setPasswordHash changes the password; an unknown account is notFound', async (env) => {
    const a = admin(env);
    if (!a) return;
    await a.setPasswordHash(env.fixture.username, await hashPassword('changed', TEST_COST));
    const user = await a.login(env.fixture.username, 'changed', CONFORMANCE_CONNECTION);
    env.defer(() => user.close());
    await rejectsWith(a.login(env.fixture.username, env.fixture.password, CONFORMANCE_CONNECTION), 'authFailed', 'old password');
    await rejectsWith(a.setPasswordHash('no-such-user-x', await hashPassword('x', TEST_COST)), 'notFound', 'unknown account');
  });

  test('deleteAccount removes the account and its mail; an unknown account is notFound', async (env) => {
    const a = admin(env);
    if (!a) return;
    const name = 'conformance-doomed-' + env.fixture.username;
    await a.createAccount(name, await hashPassword('pw', TEST_COST));
    const user = await a.login(name, 'pw', CONFORMANCE_CONNECTION);
    await user.append(INBOX, [{ content: mail() }]);
    await user.close();
    await a.deleteAccount(name);
    assert.equal(await a.accountExists(name), false);
    await rejectsWith(a.login(name, 'pw', CONFORMANCE_CONNECTION), 'authFailed', 'deleted account');
    await rejectsWith(a.deleteAccount(name), 'notFound', 'deleting twice');
    // Re-created under the same name, it starts empty.
    await a.createAccount(name, await hashPassword('pw', TEST_COST));
    const fresh = await a.login(name, 'pw', CONFORMANCE_CONNECTION);
    env.defer(() => fresh.close());
    assert.equal((await fresh.status(INBOX)).messages, 0);
  });

  test('listAccounts is sorted and agrees with accountExists', async (env) => {
    const a = admin(env);
    if (!a) return;
    const hash = await hashPassword('pw', TEST_COST);
    await a.createAccount('zz-conformance', hash);
    await a.createAccount('aa-conformance', hash);
    const names = await a.listAccounts();
    assert.deepEqual(names, [...names].sort());
    for (const n of ['zz-conformance', 'aa-conformance', env.fixture.username]) assert.ok(names.includes(n), n);
    assert.equal(await a.accountExists(env.fixture.username), true);
    assert.equal(await a.accountExists('no-such-user-x'), false);
  });
}
