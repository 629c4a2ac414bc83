/**
 * SCRAM-SHA-256 server side (RFC 5802, RFC 7677), without channel binding (no -PLUS variant). The server
 * stores only StoredKey and ServerKey (RFC 5802 section 3), derived with `scramKeys(password)`; the mechanism
 * verifies the client proof itself, so it yields a 'verified' identity (the protocol layer opens the user with
 * Backend.openUser).
 *
 * Limitation: SASLprep (RFC 4013) is approximated by Unicode NFKC normalization of the password; user names
 * are compared as sent.
 */
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SaslMechanismFactory, SaslServer, SaslStep, ScramCredentials } from './types.ts';

/** RFC 7677 section 4: at least 4096 iterations. */
export const SCRAM_DEFAULT_ITERATIONS = 4096;
/** Salt length for new credentials: 16 random octets. */
const SALT_LENGTH = 16;
/** Server nonce entropy in octets (base64-encoded, so it never contains ','). */
const NONCE_OCTETS = 18;
/** Iteration counts above this from a store are refused: a hostile lookup must not make us spin. */
const MAX_ITERATIONS = 1_000_000;
/** Messages longer than this are not SCRAM messages. */
const MAX_MESSAGE_LENGTH = 2048;

function hmac(key: Buffer, data: string | Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

function pbkdf2Async(password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(password, salt, iterations, 32, 'sha256', (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Derive the stored SCRAM-SHA-256 keys for a password (RFC 5802 section 3). */
export async function scramKeys(password: string, options: { salt?: Buffer; iterations?: number } = {}): Promise<ScramCredentials> {
  const salt = options.salt ?? randomBytes(SALT_LENGTH);
  const iterations = options.iterations ?? SCRAM_DEFAULT_ITERATIONS;
  const salted = await pbkdf2Async(password.normalize('NFKC'), salt, iterations);
  return {
    salt,
    iterations,
    storedKey: sha256(hmac(salted, 'Client Key')),
    serverKey: hmac(salted, 'Server Key'),
  };
}

/** Decode a saslname (RFC 5802 section 7): "=2C" is ",", "=3D" is "="; any other "=" is an error. */
function decodeSaslName(value: string): string | null {
  if (/=(?!2C|3D)/.test(value)) return null;
  return value.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/** Split "k=v,k=v" into ordered pairs; null on a malformed attribute. */
function attributes(message: string): { key: string; value: string }[] | null {
  const out: { key: string; value: string }[] = [];
  for (const part of message.split(',')) {
    if (!/^[A-Za-z]=/.test(part)) return null;
    out.push({ key: part[0], value: part.slice(2) });
  }
  return out;
}

const fail = (reason: string): SaslStep => ({ type: 'failure', reason });

/** A process-wide secret so that fake salts for unknown users are stable but unpredictable. */
const FAKE_SALT_SECRET = randomBytes(32);

/** Options for a SCRAM-SHA-256 mechanism factory (tests inject the server nonce). */
export interface ScramMechanismOptions {
  readonly serverNonce?: () => string;
}

/** Create a SCRAM-SHA-256 mechanism factory. */
export function createScramSha256Mechanism(options: ScramMechanismOptions = {}): SaslMechanismFactory {
  const makeNonce = options.serverNonce ?? (() => randomBytes(NONCE_OCTETS).toString('base64'));
  return (context) => {
    let state: 'first' | 'final' | 'done' = 'first';
    let gs2Header = '';
    let clientFirstBare = '';
    let serverFirst = '';
    let nonce = '';
    let username = '';
    let authzid: string | undefined;
    let credentials: ScramCredentials | null = null;

    const server: SaslServer = {
      async step(response) {
        if (state === 'done') return fail('SCRAM exchange already finished');
        if (response === null) {
          // The client sends first in SCRAM: ask for it with an empty challenge (RFC 4422 section 5).
          if (state === 'first') return { type: 'challenge', data: Buffer.alloc(0) };
          state = 'done';
          return fail('missing SCRAM response');
        }
        const text = response.toString('utf8');
        if (response.length > MAX_MESSAGE_LENGTH || text.includes('\0')) {
          state = 'done';
          return fail('malformed SCRAM message');
        }
        if (state === 'first') {
          state = 'done';
          // gs2-header: cbind flag "n" or "y" (we offer no -PLUS, RFC 5802 section 6), then [a=authzid].
          const m = /^([ny]),(a=[^,]*)?,(.*)$/s.exec(text);
          if (!m) return fail(text.startsWith('p=') ? 'channel binding not supported' : 'malformed gs2 header');
          gs2Header = text.slice(0, text.length - m[3].length);
          if (m[2] !== undefined) {
            const decoded = decodeSaslName(m[2].slice(2));
            if (decoded === null || decoded === '') return fail('malformed authzid');
            authzid = decoded;
          }
          clientFirstBare = m[3];
          const attrs = attributes(clientFirstBare);
          if (!attrs || attrs.length < 2 || attrs[0].key === 'm') return fail('malformed client-first-message');
          if (attrs[0].key !== 'n' || attrs[1].key !== 'r') return fail('malformed client-first-message');
          const name = decodeSaslName(attrs[0].value);
          if (name === null || name === '' || attrs[1].value === '' || !/^[\x21-\x2b\x2d-\x7e]+$/.test(attrs[1].value)) {
            return fail('malformed client-first-message');
          }
          username = name;
          nonce = attrs[1].value + makeNonce();
          const found = context.lookup?.scramSha256 ? await context.lookup.scramSha256(username) : null;
          if (found && (found.iterations < 1 || found.iterations > MAX_ITERATIONS)) return fail('unusable stored SCRAM keys');
          credentials = found;
          // Unknown users get a stable fake salt and fail at the proof, so user names cannot be probed.
          const salt = found ? found.salt : hmac(FAKE_SALT_SECRET, username).subarray(0, SALT_LENGTH);
          const iterations = found ? found.iterations : SCRAM_DEFAULT_ITERATIONS;
          serverFirst = `r=${nonce},s=${salt.toString('base64')},i=${iterations}`;
          state = 'final';
          return { type: 'challenge', data: Buffer.from(serverFirst) };
        }
        // client-final-message
        state = 'done';
        const attrs = attributes(text);
        if (!attrs || attrs.length < 3) return fail('malformed client-final-message');
        const proofAttr = attrs[attrs.length - 1];
        if (attrs[0].key !== 'c' || attrs[1].key !== 'r' || proofAttr.key !== 'p') return fail('malformed client-final-message');
        if (Buffer.from(attrs[0].value, 'base64').toString('utf8') !== gs2Header) return fail('channel binding mismatch');
        if (attrs[1].value !== nonce) return fail('nonce mismatch');
        const withoutProof = text.slice(0, text.length - (proofAttr.value.length + 3));
        const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
        const proof = Buffer.from(proofAttr.value, 'base64');
        if (!credentials || proof.length !== 32) return fail('authentication failed');
        const clientSignature = hmac(credentials.storedKey, authMessage);
        const clientKey = Buffer.alloc(32);
        for (let i = 0; i < 32; i++) clientKey[i] = proof[i] ^ clientSignature[i];
        const storedKey = sha256(clientKey);
        if (storedKey.length !== credentials.storedKey.length || !timingSafeEqual(storedKey, credentials.storedKey)) {
          return fail('authentication failed');
        }
        const serverSignature = hmac(credentials.serverKey, authMessage);
        return {
          type: 'success',
          identity: authzid === undefined ? { kind: 'verified', username } : { kind: 'verified', username, authzid },
          data: Buffer.from(`v=${serverSignature.toString('base64')}`),
        };
      },
    };
    return server;
  };
}

/** SCRAM-SHA-256 with random server nonces: register it as "SCRAM-SHA-256". */
export const scramSha256Mechanism: SaslMechanismFactory = createScramSha256Mechanism();
