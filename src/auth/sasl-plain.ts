/* eslint-disable @typescript-eslint/require-await -- the interface is async (Promise-returning) even where this implementation needs no await */
/**
 * The PLAIN SASL mechanism (RFC 4616): one message `[authzid] NUL authcid NUL passwd`, UTF-8.
 * The mechanism only parses; the protocol layer checks the password (SaslIdentity kind 'password').
 */
import type { SaslMechanismFactory, SaslServer, SaslStep } from './types.ts';

/** RFC 4616 section 2: each of authzid, authcid and passwd is at most 255 octets. */
export const MAX_SASL_FIELD_OCTETS = 255;

/** Decode strict UTF-8 or return null (RFC 4616 requires valid UTF-8 and no NUL inside fields). */
export function strictUtf8(bytes: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** Parse a PLAIN message; exported for tests and for callers that already hold the whole message. */
export function parsePlainMessage(message: Buffer): SaslStep {
  const fields: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < message.length; i++) {
    if (message[i] === 0) {
      fields.push(message.subarray(start, i));
      start = i + 1;
    }
  }
  fields.push(message.subarray(start));
  if (fields.length !== 3) return { type: 'failure', reason: 'malformed PLAIN message' };
  const [authzBytes, authcBytes, passBytes] = fields;
  if (fields.some((f) => f.length > MAX_SASL_FIELD_OCTETS)) return { type: 'failure', reason: 'PLAIN field too long' };
  if (authcBytes.length === 0 || passBytes.length === 0) return { type: 'failure', reason: 'empty PLAIN authcid or password' };
  const authzid = strictUtf8(authzBytes);
  const username = strictUtf8(authcBytes);
  const password = strictUtf8(passBytes);
  if (authzid === null || username === null || password === null) return { type: 'failure', reason: 'PLAIN message is not UTF-8' };
  return {
    type: 'success',
    identity: authzid === '' ? { kind: 'password', username, password } : { kind: 'password', username, password, authzid },
  };
}

/**
 * PLAIN: with no initial response the server sends an empty challenge (RFC 4422 section 5), then the
 * next response is the message. Any further step is a protocol error.
 */
export const plainMechanism: SaslMechanismFactory = () => {
  let state: 'start' | 'waiting' | 'done' = 'start';
  const server: SaslServer = {
    async step(response) {
      if (state === 'done') return { type: 'failure', reason: 'PLAIN exchange already finished' };
      if (response === null) {
        if (state === 'waiting') {
          state = 'done';
          return { type: 'failure', reason: 'missing PLAIN response' };
        }
        state = 'waiting';
        return { type: 'challenge', data: Buffer.alloc(0) };
      }
      state = 'done';
      return parsePlainMessage(response);
    },
  };
  return server;
};
