import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, verifyPassword } from './password.ts';
import { passwordHashPart, scramCredentialsOf, withScramKeys, SCRAM_SEPARATOR } from './scram-credential.ts';
import { scramKeys } from './sasl-scram-sha-256.ts';

const COST = { ln: 10, r: 8, p: 1 };

test('hashPassword carries SCRAM keys that match scramKeys(password) with the stored salt', async () => {
  const credential = await hashPassword('pässword', COST);
  assert.ok(credential.includes(SCRAM_SEPARATOR));
  assert.ok(await verifyPassword('pässword', credential));
  assert.ok(!(await verifyPassword('password', credential)));
  const keys = scramCredentialsOf(credential);
  assert.ok(keys);
  const again = await scramKeys('pässword', { salt: keys.salt, iterations: keys.iterations });
  assert.deepEqual(again.storedKey, keys.storedKey);
  assert.deepEqual(again.serverKey, keys.serverKey);
});

test('hashes without keys still verify; malformed SCRAM parts give null', async () => {
  const legacy = passwordHashPart(await hashPassword('x', COST));
  assert.ok(!legacy.includes(SCRAM_SEPARATOR));
  assert.ok(await verifyPassword('x', legacy));
  assert.equal(scramCredentialsOf(legacy), null);
  assert.equal(scramCredentialsOf(`${legacy}${SCRAM_SEPARATOR}4096$abc$short$short`), null);
  const full = await withScramKeys(legacy, 'x');
  assert.equal(passwordHashPart(full), legacy);
  assert.ok(scramCredentialsOf(full));
});
