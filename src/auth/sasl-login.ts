/* eslint-disable @typescript-eslint/require-await -- the interface is async (Promise-returning) even where this implementation needs no await */
/**
 * The LOGIN SASL mechanism (draft-murchison-sasl-login, de facto): the server asks "Username:" then
 * "Password:"; each client response is the raw UTF-8 value. An initial response, when given, is the username.
 * Like PLAIN it yields a 'password' identity; the protocol layer checks it.
 */
import type { SaslMechanismFactory, SaslServer } from './types.ts';

/** Same bound as PLAIN fields (RFC 4616 section 2): longer values are not credentials but abuse. */
const MAX_FIELD_OCTETS = 255;

const USERNAME_CHALLENGE = 'Username:';
const PASSWORD_CHALLENGE = 'Password:';

function utf8(bytes: Buffer): string | null {
  if (bytes.length > MAX_FIELD_OCTETS || bytes.includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
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
          const value = response === null ? null : utf8(response);
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
          const value = response === null ? null : utf8(response);
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
