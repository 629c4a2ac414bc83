import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword } from '../../auth/password.ts';
import { DECOY_PASSWORD_HASH, verifyOrDecoy } from './login-timing.ts';

void test('verifyOrDecoy: true only for the right password of an existing account', async () => {
  const hash = await hashPassword('secret', { ln: 4, r: 8, p: 1 });
  assert.equal(await verifyOrDecoy('secret', hash), true);
  assert.equal(await verifyOrDecoy('wrong', hash), false);
  assert.equal(await verifyOrDecoy('secret', undefined), false);
  assert.equal(await verifyOrDecoy('', undefined), false);
});

void test('the decoy costs what a default hash costs: same parameters, well-formed', async () => {
  const real = await hashPassword('x');
  const params = (h: string) => h.split('$').slice(0, 3).join('$');
  assert.equal(params(DECOY_PASSWORD_HASH), params(real));
  const [, , , salt, key] = DECOY_PASSWORD_HASH.split('$');
  const [, , , realSalt, realKey] = real.split('$');
  assert.equal(Buffer.from(salt, 'base64').length, Buffer.from(realSalt, 'base64').length);
  assert.equal(Buffer.from(key, 'base64').length, Buffer.from(realKey, 'base64').length);
});
