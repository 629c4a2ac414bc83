/* eslint-disable @typescript-eslint/require-await -- the interface is async (Promise-returning) even where this implementation needs no await */
/**
 * The LOGIN SASL mechanism (draft-murchison-sasl-login, de facto): the server asks "Username:" then
 * "Password:"; each client response is the raw UTF-8 value. An initial response, when given, is the username.
 * Like PLAIN it yields a 'password' identity; the protocol layer checks it.
 */
import { MAX_SASL_FIELD_OCTETS, strictUtf8 } from './sasl-plain.ts';
import type { SaslMechanismFactory, SaslServer } from './types.ts';

const USERNAME_CHALLENGE = 'Username:';
const PASSWORD_CHALLENGE = 'Password:';

/**
 * A username or password value: valid UTF-8, no NUL, at most PLAIN's field bound (RFC 4616 section 2);
 * longer values are not credentials but abuse.
 */
function fieldValue(bytes: Buffer): string | null {
  if (bytes.length > MAX_SASL_FIELD_OCTETS || bytes.includes(0)) return null;
  return strictUtf8(bytes);
}

/** LOGIN mechanism factory. */
export const loginMechanism: SaslMechanismFactory = () => {
  let state: 'start' | 'username' | 'password' | 'done' = 'start';
  let username = '';
  const server: SaslServer = {
    async step(response) {
      if (state === 'start') {
        // With no initial response, ask for the username; an initial response is the username itself.
        if (response === null) {
          state = 'username';
          return { type: 'challenge', data: Buffer.from(USERNAME_CHALLENGE) };
        }
        state = 'username';
      }
      switch (state) {
        case 'username': {
          const value = response === null ? null : fieldValue(response);
          if (value === null || value === '') {
            state = 'done';
            return { type: 'failure', reason: 'malformed LOGIN username' };
          }
          username = value;
          state = 'password';
          return { type: 'challenge', data: Buffer.from(PASSWORD_CHALLENGE) };
        }
        case 'password': {
          state = 'done';
          const value = response === null ? null : fieldValue(response);
          if (value === null || value === '') return { type: 'failure', reason: 'malformed LOGIN password' };
          return { type: 'success', identity: { kind: 'password', username, password: value } };
        }
        default:
          return { type: 'failure', reason: 'LOGIN exchange already finished' };
      }
    },
  };
  return server;
};
