import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { createScramSha256Mechanism, scramKeys, scramSha256Mechanism } from './sasl-scram-sha-256.ts';
import type { SaslCredentialLookup, ScramCredentials } from './types.ts';

// RFC 7677 section 3 example.
const SALT = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
const CLIENT_NONCE = 'rOprNGfwEbeRWgbNEkqO';
const SERVER_NONCE = '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
const CLIENT_FIRST = `n,,n=user,r=${CLIENT_NONCE}`;
const SERVER_FIRST = `r=${CLIENT_NONCE}${SERVER_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`;
const CLIENT_FINAL = `c=biws,r=${CLIENT_NONCE}${SERVER_NONCE},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`;
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

function lookupFor(users: Record<string, ScramCredentials>): SaslCredentialLookup {
  return { scramSha256: (name) => Promise.resolve(users[name] ?? null) };
}

/** A minimal SCRAM client, to test exchanges beyond the RFC vector. */
function clientProof(password: string, salt: Buffer, iterations: number, authMessage: string): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const signature = createHmac('sha256', storedKey).update(authMessage).digest();
  return Buffer.from(clientKey.map((b, i) => b ^ signature[i])).toString('base64');
}

void describe('SCRAM-SHA-256 (RFC 5802 / RFC 7677)', () => {
  void test('RFC 7677 test vector', async () => {
    const keys = await scramKeys('pencil', { salt: SALT, iterations: 4096 });
    const mech = createScramSha256Mechanism({ serverNonce: () => SERVER_NONCE });
    const server = mech({ secure: true, lookup: lookupFor({ user: keys }) });
    assert.deepEqual(await server.step(null), { type: 'challenge', data: Buffer.alloc(0) });
    const first = await server.step(Buffer.from(CLIENT_FIRST));
    assert.equal(first.type === 'challenge' && first.data.toString(), SERVER_FIRST);
    const final = await server.step(Buffer.from(CLIENT_FINAL));
    assert.equal(final.type, 'success');
    assert.deepEqual(final.type === 'success' && final.identity, { kind: 'verified', username: 'user' });
    assert.equal(final.type === 'success' && final.data?.toString(), SERVER_FINAL);
  });

  void test('wrong password, unknown user, wrong nonce, channel binding, malformed input all fail', async () => {
    const keys = await scramKeys('pencil', { salt: SALT, iterations: 4096 });
    const lookup = lookupFor({ user: keys });
    const mech = createScramSha256Mechanism({ serverNonce: () => SERVER_NONCE });
    const run = async (first: string, final?: string) => {
      const s = mech({ secure: true, lookup });
      const r1 = await s.step(Buffer.from(first));
      if (r1.type !== 'challenge' || final === undefined) return r1;
      return s.step(Buffer.from(final));
    };
    const wrong = clientProof('wrong', SALT, 4096, `n=user,r=${CLIENT_NONCE},${SERVER_FIRST},c=biws,r=${CLIENT_NONCE}${SERVER_NONCE}`);
    assert.equal((await run(CLIENT_FIRST, `c=biws,r=${CLIENT_NONCE}${SERVER_NONCE},p=${wrong}`)).type, 'failure');
    assert.equal((await run(CLIENT_FIRST, `c=biws,r=${CLIENT_NONCE}other,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`)).type, 'failure');
    assert.equal((await run(CLIENT_FIRST, `c=eSws,r=${CLIENT_NONCE}${SERVER_NONCE},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`)).type, 'failure');
    // Unknown user: a challenge with a salt (no enumeration), then failure.
    const unknown = await run(`n,,n=nobody,r=${CLIENT_NONCE}`);
    assert.equal(unknown.type, 'challenge');
    for (const bad of ['p=tls-unique,,n=user,r=abc', 'x,,n=user,r=abc', 'n,,r=abc', 'n,,n=,r=abc', 'n,,n=us=er,r=abc', 'n,,m=ext,n=user,r=abc', 'garbage']) {
      assert.equal((await run(bad)).type, 'failure', bad);
    }
    // Without a lookup every attempt fails at the proof.
    const noLookup = scramSha256Mechanism({ secure: true });
    assert.equal((await noLookup.step(Buffer.from(CLIENT_FIRST))).type, 'challenge');
    assert.equal((await noLookup.step(Buffer.from(CLIENT_FINAL))).type, 'failure');
  });

  void test('random nonce exchange with authzid and escaped user name', async () => {
    const keys = await scramKeys('s3cr=t,pw', { iterations: 4096 });
    const server = scramSha256Mechanism({ secure: true, lookup: lookupFor({ 'a,b=c': keys }) });
    const bare = 'n=a=2Cb=3Dc,r=clientnonce';
    const first = await server.step(Buffer.from(`n,a=a=2Cb=3Dc,${bare}`));
    assert.equal(first.type, 'challenge');
    const serverFirst = first.type === 'challenge' ? first.data.toString() : '';
    const m = /^r=(clientnonce[^,]+),s=([^,]+),i=4096$/.exec(serverFirst);
    assert.ok(m, serverFirst);
    const cbind = Buffer.from('n,a=a=2Cb=3Dc,').toString('base64');
    const withoutProof = `c=${cbind},r=${m[1]}`;
    const proof = clientProof('s3cr=t,pw', Buffer.from(m[2], 'base64'), 4096, `${bare},${serverFirst},${withoutProof}`);
    const final = await server.step(Buffer.from(`${withoutProof},p=${proof}`));
    assert.equal(final.type, 'success');
    assert.deepEqual(final.type === 'success' && final.identity, { kind: 'verified', username: 'a,b=c', authzid: 'a,b=c' });
  });
});
