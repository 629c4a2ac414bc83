/**
 * SCRAM-SHA-256 keys kept beside the password hash (RFC 5802 section 3: the server stores StoredKey and
 * ServerKey, never the password). Stores persist the credential string as an opaque password hash
 * (AccountAdmin.createAccount / setPasswordHash), so the keys ride in the same string:
 *
 *   $scrypt$ln=15,r=8,p=1$<salt>$<hash>;scram-sha-256$<iterations>$<salt b64>$<StoredKey b64>$<ServerKey b64>
 *
 * verifyPassword() checks the scrypt part only; Backend.scramCredentials() returns the parsed keys. Hashes
 * written before SCRAM support have no suffix: such accounts can log in with PLAIN/LOGIN but not SCRAM
 * until their password is set again.
 */
import { scramKeys } from './sasl-scram-sha-256.ts';
import type { ScramCredentials } from './types.ts';

/** Separates the scrypt hash from the SCRAM keys in a credential string. */
export const SCRAM_SEPARATOR = ';scram-sha-256$';

const SCRAM_PART = /^(\d{1,7})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]{44})\$([A-Za-z0-9+/=]{44})$/;

/** Append SCRAM-SHA-256 keys derived from `password` to a password hash. */
export async function withScramKeys(passwordHash: string, password: string): Promise<string> {
  const k = await scramKeys(password);
  return `${passwordHash}${SCRAM_SEPARATOR}${k.iterations}$${k.salt.toString('base64')}$${k.storedKey.toString('base64')}$${k.serverKey.toString('base64')}`;
}

/** The password-hash part of a credential string (what verifyPassword checks). */
export function passwordHashPart(credential: string): string {
  const i = credential.indexOf(SCRAM_SEPARATOR);
  return i < 0 ? credential : credential.slice(0, i);
}

/** The SCRAM keys of a credential string, or null when it has none (or they are malformed). */
export function scramCredentialsOf(credential: string): ScramCredentials | null {
  const i = credential.indexOf(SCRAM_SEPARATOR);
  if (i < 0) return null;
  const m = SCRAM_PART.exec(credential.slice(i + SCRAM_SEPARATOR.length));
  if (!m) return null;
  const storedKey = Buffer.from(m[3], 'base64');
  const serverKey = Buffer.from(m[4], 'base64');
  if (storedKey.length !== 32 || serverKey.length !== 32) return null;
  return { iterations: Number(m[1]), salt: Buffer.from(m[2], 'base64'), storedKey, serverKey };
}
