/**
 * Password hashing with scrypt from node:crypto (memory-hard, no native dependency).
 * Stored form: `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt b64>$<hash b64>`, self-describing so that
 * the cost can be raised later without breaking stored hashes. hashPassword() appends the account's
 * SCRAM-SHA-256 keys (scram-credential.ts) so that stores keeping this string can also serve SCRAM.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { passwordHashPart, withScramKeys } from './scram-credential.ts';

/** Cost used for new hashes: N = 2^15, r = 8, p = 1 (about 32 MiB and 50-100 ms per hash). */
const DEFAULT_COST = { ln: 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function costOptions(ln: number, r: number, p: number): ScryptOptions {
  // maxmem must cover 128 * N * r bytes, or node refuses the parameters.
  return { N: 2 ** ln, r, p, maxmem: 256 * 2 ** ln * r + 1024 * 1024 };
}

/** Hash a password for storage (with its SCRAM-SHA-256 keys appended). */
export async function hashPassword(password: string, cost: { ln: number; r: number; p: number } = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await scryptAsync(password, salt, costOptions(cost.ln, cost.r, cost.p));
  const hash = `$scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
  return withScramKeys(hash, password);
}

const STORED = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

/** Check a password against a stored hash in constant time; false for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = STORED.exec(passwordHashPart(stored));
  if (!m) return false;
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (ln < 1 || ln > 22 || r < 1 || p < 1) return false;
  const expected = Buffer.from(m[5], 'base64');
  const key = await scryptAsync(password, Buffer.from(m[4], 'base64'), costOptions(ln, r, p));
  return expected.length === key.length && timingSafeEqual(expected, key);
}
