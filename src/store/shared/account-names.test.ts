import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStoreError } from '../errors.ts';
import { MAX_ACCOUNT_NAME_BYTES, accountNameProblem, assertAccountName } from './account-names.ts';

void test('account names: non-empty, well-formed, no controls or white space, bounded in octets', () => {
  for (const ok of ['alice', 'd.user+tag@example.org', 'j\u00fcrgen', '\u7528\u6237', 'a'.repeat(MAX_ACCOUNT_NAME_BYTES)]) {
    assert.equal(accountNameProblem(ok), null, ok);
    assert.doesNotThrow(() => assertAccountName(ok));
  }
  const bad: [string, RegExp][] = [
    ['', /empty/],
    ['a'.repeat(MAX_ACCOUNT_NAME_BYTES + 1), /too long/],
    ['\u00e9'.repeat(MAX_ACCOUNT_NAME_BYTES / 2 + 1), /too long/],
    ['lone\udc00', /well-formed/],
    ['two words', /white space/],
    ['cr\r', /control/],
    ['c1\u0085', /control/],
    ['nbsp\u00a0', /white space/],
  ];
  for (const [name, why] of bad) {
    assert.match(accountNameProblem(name) ?? '', why, JSON.stringify(name));
    assert.throws(() => assertAccountName(name), (err: unknown) => isStoreError(err, 'invalid'));
  }
});
