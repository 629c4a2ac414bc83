/**
 * AUTH=SCRAM-SHA-256 (RFC 7677, RFC 5802; IMAP4rev2's mandatory mechanism, RFC 9051 appendix E item 27).
 * The mechanism verifies the client's proof against the account's stored keys itself, so it needs two
 * optional store methods: Backend.scramCredentials (the keys) and Backend.openUser (open the verified
 * account). validate() refuses a backend without them, so the server fails at start-up, not at a client.
 * Not a plaintext mechanism: offered without TLS too (the password never crosses the wire).
 */
import { scramSha256Mechanism } from '../../auth/sasl-scram-sha-256.ts';
import type { SaslCredentialLookup, ScramCredentials } from '../../auth/types.ts';
import type { Backend } from '../../store/types.ts';
import type { ImapExtension } from '../server.ts';

/** A backend that keeps SCRAM-SHA-256 keys and can open a user without a password. */
export interface ScramBackend extends Backend {
  scramCredentials(username: string): Promise<ScramCredentials | null>;
  openUser: NonNullable<Backend['openUser']>;
}

/** Whether a backend can serve SCRAM-SHA-256. */
export function supportsScram(backend: Backend): backend is ScramBackend {
  const b = backend as Partial<ScramBackend>;
  return typeof b.scramCredentials === 'function' && typeof b.openUser === 'function';
}

/** The SASL credential lookup over a SCRAM-capable backend (null when it is not). */
export function scramLookup(backend: Backend): SaslCredentialLookup | null {
  if (!supportsScram(backend)) return null;
  return { scramSha256: (username) => backend.scramCredentials(username) };
}

/** The AUTH=SCRAM-SHA-256 extension. */
export const scramExtension: ImapExtension = {
  name: 'AUTH=SCRAM-SHA-256',
  mechanisms: { 'SCRAM-SHA-256': scramSha256Mechanism },
  validate(backend) {
    if (!supportsScram(backend)) {
      throw new Error('AUTH=SCRAM-SHA-256 needs a backend with scramCredentials() and openUser()');
    }
  },
};
