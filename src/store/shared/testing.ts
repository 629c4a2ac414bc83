/**
 * Fixtures for the stores' own tests (sqlite.test.ts, postgres.test.ts, ...): not used by store code.
 * The shared conformance suite has its own (conformance/harness.ts); these are for what each store proves
 * beyond it.
 */
import { hashPassword } from '../../auth/password.ts';
import type { StoreFixture } from '../conformance/index.ts';
import type { AccountAdmin, Backend, ConnectionInfo, User } from '../types.ts';

/** The connection tests log in with: a local CLI, as the daemon's own tools do. */
export const TEST_CONNECTION = { protocol: 'cli', secure: true } as const satisfies ConnectionInfo;

/** A cheap scrypt cost for tests: hashing speed is not what is under test, and the default costs ~100 ms. */
export const TEST_SCRYPT_COST = { ln: 4, r: 8, p: 1 } as const;

/** A small, well-formed message (CRLF line ends) with the given subject and body text. */
export function testMessage(subject: string, body = 'Hello.'): Buffer {
  return Buffer.from(`From: a@example.org\r\nTo: b@example.org\r\nSubject: ${subject}\r\n\r\n${body}\r\n`);
}

/**
 * The conformance fixture of a store that administers its own accounts: creates the account the suite
 * logs in with, and closes the backend then runs `cleanup` (delete files, drop a schema) on close.
 */
export async function conformanceFixture(backend: Backend & AccountAdmin & { close(): Promise<void> }, cleanup: () => Promise<void> | void): Promise<StoreFixture> {
  await backend.createAccount('conformance', await hashPassword('pw', TEST_SCRYPT_COST));
  return {
    backend,
    username: 'conformance',
    password: 'pw',
    close: async () => {
      await backend.close();
      await cleanup();
    },
  };
}

/** Create account `alice` (password `secret`) on a store that administers accounts, and log in to it. */
export async function loginNewAlice(backend: Backend & AccountAdmin): Promise<User> {
  await backend.createAccount('alice', await hashPassword('secret', TEST_SCRYPT_COST));
  return backend.login('alice', 'secret', TEST_CONNECTION);
}
