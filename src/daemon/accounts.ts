/**
 * Account policies the daemon layers over a store: the static password for load tests (Dovecot's static
 * passdb), metrics on authentication and store failures, and the first-run demo account.
 */
import { randomBytes } from 'node:crypto';
import { hashPassword } from '../auth/password.ts';
import { isStoreError, StoreError } from '../store/errors.ts';
import type { ConnectionInfo, SpecialUse, User } from '../store/types.ts';
import type { DaemonMetrics } from './metrics.ts';
import type { DaemonBackend } from './store.ts';

/** Name of the first-run account. */
export const DEMO_USER = 'demo';
/** Random bytes in the demo password (base64url: 16 characters). */
const DEMO_PASSWORD_BYTES = 12;
/**
 * Cost of the hash stored for accounts created by the static password: the password is random and never
 * used (the static one is checked instead), so the memory-hard default would only slow load tests down.
 */
const STATIC_ACCOUNT_HASH_COST = { ln: 4, r: 8, p: 1 } as const;

/** A random password for generated accounts. */
export function randomPassword(): string {
  return randomBytes(DEMO_PASSWORD_BYTES).toString('base64url');
}

/**
 * The mailboxes every new account gets, with their RFC 6154 special uses, so that clients (Thunderbird,
 * Apple Mail, K-9, Outlook) find their Drafts/Sent/Trash/Junk/Archive through SPECIAL-USE instead of
 * creating their own under localized names. Names are Dovecot's defaults (its example namespace config).
 */
export const DEFAULT_MAILBOXES: readonly { readonly name: string; readonly specialUse: SpecialUse }[] = [
  { name: 'Drafts', specialUse: '\\Drafts' },
  { name: 'Sent', specialUse: '\\Sent' },
  { name: 'Trash', specialUse: '\\Trash' },
  { name: 'Junk', specialUse: '\\Junk' },
  { name: 'Archive', specialUse: '\\Archive' },
];

/**
 * Give a new account its default mailboxes (DEFAULT_MAILBOXES), subscribed, and subscribe INBOX. A mailbox
 * that already exists is left alone ('exists' from a concurrent creation is fine).
 */
export async function createDefaultMailboxes(backend: DaemonBackend, username: string): Promise<void> {
  const user = await backend.openUser(username, { protocol: 'cli', secure: true });
  if (!user) throw new StoreError('notFound', `no account ${username}`);
  try {
    for (const { name, specialUse } of DEFAULT_MAILBOXES) {
      try {
        await user.createMailbox(name, { specialUse: [specialUse] });
      } catch (err) {
        if (!isStoreError(err, 'exists')) throw err;
      }
      await user.setSubscribed(name, true);
    }
    await user.setSubscribed('INBOX', true);
  } finally {
    await user.close();
  }
}

/**
 * Create `username` if it does not exist, with its default mailboxes; a concurrent creation ('exists') is
 * fine (the process that created the account creates the mailboxes).
 */
export async function ensureAccount(backend: DaemonBackend, username: string): Promise<void> {
  if (await backend.accountExists(username)) return;
  try {
    await backend.createAccount(username, await hashPassword(randomPassword(), STATIC_ACCOUNT_HASH_COST));
  } catch (err) {
    if (!isStoreError(err, 'exists')) throw err;
    return;
  }
  await createDefaultMailboxes(backend, username);
}

/**
 * Wrap a backend so that `password` logs in any user name, creating the account at first login. Other
 * passwords still go to the store (an account's own password keeps working).
 */
export function withStaticPassword(backend: DaemonBackend, password: string): DaemonBackend {
  const login = async (username: string, given: string, info: ConnectionInfo): Promise<User> => {
    if (given !== password) return backend.login(username, given, info);
    await ensureAccount(backend, username);
    const user = await backend.openUser(username, info);
    if (!user) throw new StoreError('authFailed', 'authentication failed');
    return user;
  };
  return new Proxy(backend, {
    get(target, prop) {
      if (prop === 'login') return login;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function countFailure(metrics: DaemonMetrics, err: unknown): void {
  metrics.storeErrors.inc({ kind: err instanceof StoreError ? err.kind : 'internal' });
}

/**
 * Wrap a user so that failed calls count in mailroom_store_errors_total. Mailbox objects are returned as
 * they are: sessions compare a change record's `origin` with the Mailbox they hold.
 */
function instrumentUser(user: User, metrics: DaemonMetrics): User {
  // Properties are read on the target itself (not through the proxy): stores use #private fields in getters.
  return new Proxy(user, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...a: unknown[]) => unknown;
      return (...args: unknown[]) => {
        const result = fn.apply(target, args);
        if (result instanceof Promise) {
          return result.catch((err: unknown) => {
            countFailure(metrics, err);
            throw err;
          });
        }
        return result;
      };
    },
  });
}

/** Wrap a backend: authentication failures and store errors become metrics. */
export function withMetrics(backend: DaemonBackend, metrics: DaemonMetrics): DaemonBackend {
  const login = async (username: string, password: string, info: ConnectionInfo): Promise<User> => {
    try {
      return instrumentUser(await backend.login(username, password, info), metrics);
    } catch (err) {
      if (isStoreError(err, 'authFailed')) metrics.authFailures.inc({ protocol: info.protocol });
      else countFailure(metrics, err);
      throw err;
    }
  };
  const openUser = async (username: string, info: ConnectionInfo): Promise<User | null> => {
    try {
      const user = await backend.openUser(username, info);
      return user && instrumentUser(user, metrics);
    } catch (err) {
      countFailure(metrics, err);
      throw err;
    }
  };
  return new Proxy(backend, {
    get(target, prop) {
      if (prop === 'login') return login;
      if (prop === 'openUser') return openUser;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The welcome message put in the demo account's INBOX (CRLF line endings, as stores expect). */
export function welcomeMessage(hostname: string, date: Date = new Date()): Buffer {
  const lines = [
    `From: Mailroom <postmaster@${hostname}>`,
    `To: demo <demo@${hostname}>`,
    'Subject: Welcome to Mailroom',
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <welcome.${date.getTime()}.${randomBytes(4).toString('hex')}@${hostname}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Hello,',
    '',
    'this is the demo account of your new Mailroom server. It was created because the',
    'store had no account; its password is in the log line "demo account created".',
    '',
    'Add real accounts with:   bin/mailroom user add NAME',
    'Deliver a message with:   bin/mailroom deliver NAME < message.eml',
    'Turn the demo off with:   --no-demo, or demo = false in mailroom.toml',
    '',
    'The README explains how to connect Thunderbird, mutt or curl.',
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

/**
 * First run: when the store has no account, create `demo` with a random password and a welcome message.
 * Returns the password, or null when accounts already exist.
 */
export async function createDemoAccountIfEmpty(backend: DaemonBackend, hostname: string): Promise<string | null> {
  if ((await backend.listAccounts()).length > 0) return null;
  const password = randomPassword();
  try {
    await backend.createAccount(DEMO_USER, await hashPassword(password));
  } catch (err) {
    if (isStoreError(err, 'exists')) return null; // another process created it meanwhile
    throw err;
  }
  await createDefaultMailboxes(backend, DEMO_USER);
  const user = await backend.openUser(DEMO_USER, { protocol: 'cli', secure: true });
  if (!user) throw new Error('demo account vanished right after its creation');
  try {
    await user.append('INBOX', [{ content: welcomeMessage(hostname) }]);
  } finally {
    await user.close();
  }
  return password;
}
