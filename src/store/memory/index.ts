/**
 * The reference store (DESIGN.md section 3): everything on the heap, the whole contract implemented.
 * It is the test fixture of the protocol layers and the daemon's `--store memory`. Nothing survives the
 * process, so "durable" here means "committed before the promise resolves".
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { verifyPassword } from '../../auth/password.ts';
import { scramCredentialsOf } from '../../auth/scram-credential.ts';
import { scramKeys } from '../../auth/sasl-scram-sha-256.ts';
import type { ScramCredentials } from '../../auth/types.ts';
import { ChangeHub, type ChangeHubOptions } from '../change-hub.ts';
import { StoreError } from '../errors.ts';
import type { AccountAdmin, Backend, ConnectionInfo, User } from '../types.ts';
import { INBOX } from '../../core/mailbox-name.ts';
import { assertAccountName } from '../shared/account-names.ts';
import { DECOY_PASSWORD_HASH } from '../shared/login-timing.ts';
import { settle } from '../shared/settle.ts';
import { AccountState, StoreContext, type Credential } from './state.ts';
import { MemoryUser } from './user.ts';

export { MAX_KEYWORDS_PER_MAILBOX, MAX_MESSAGES_PER_MAILBOX, MAX_UID, MAX_KEYWORD_LENGTH } from './limits.ts';

/** Options of createMemoryBackend. */
export interface MemoryBackendOptions {
  /** Accounts to create, name -> plaintext password (tests, embedding). Each gets an INBOX. */
  readonly users?: Record<string, string>;
  /** Called when a change listener throws (the store never logs by itself). */
  readonly onListenerError?: ChangeHubOptions['onListenerError'];
}

/** The memory store: a Backend that also administers its accounts and opens them without a password. */
export interface MemoryBackend extends Backend, AccountAdmin {
  openUser(username: string, info: ConnectionInfo): Promise<User | null>;
  scramCredentials(username: string): Promise<ScramCredentials | null>;
  close(): Promise<void>;
}

/** SCRAM keys of plaintext credentials, derived on first use (PBKDF2 is deliberately slow). */
const plainScramKeys = new WeakMap<Credential, Promise<ScramCredentials>>();

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Compare plaintext passwords in constant time (hashing first makes the lengths equal). */
function samePassword(given: string, stored: string): boolean {
  return timingSafeEqual(digest(given), digest(stored));
}

class MemoryBackendImpl implements MemoryBackend {
  /** MemoryMailbox implements MovableMailbox. */
  readonly features = { move: true } as const;
  readonly #ctx: StoreContext;
  readonly #accounts = new Map<string, AccountState>();
  #closed = false;
  #hashedAccounts = 0;

  constructor(options: MemoryBackendOptions) {
    this.#ctx = new StoreContext(new ChangeHub({ onListenerError: options.onListenerError }));
    for (const [name, password] of Object.entries(options.users ?? {})) {
      this.#addAccount(name, { kind: 'plain', password });
    }
  }

  async login(username: string, password: string, _info: ConnectionInfo): Promise<User> {
    this.#checkOpen();
    const account = this.#accounts.get(username);
    let ok: boolean;
    if (!account) {
      // Same work as a real check, so that timing does not reveal which names exist: scrypt when the
      // store holds hashed accounts, a digest comparison otherwise. Not shared/login-timing.ts's
      // verifyOrDecoy alone: only this store also keeps plaintext passwords (tests, embedding).
      if (this.#hashedAccounts > 0) await verifyPassword(password, DECOY_PASSWORD_HASH);
      else samePassword(password, '');
      ok = false;
    } else if (account.credential.kind === 'plain') {
      ok = samePassword(password, account.credential.password);
    } else {
      ok = await verifyPassword(password, account.credential.hash);
    }
    // Re-read after the await: the account may have been deleted meanwhile.
    if (!ok || !account || account.deleted) throw new StoreError('authFailed', 'invalid user name or password');
    return new MemoryUser(this.#ctx, account);
  }

  scramCredentials(username: string): Promise<ScramCredentials | null> {
    this.#checkOpen();
    const account = this.#accounts.get(username);
    if (!account) return Promise.resolve(null);
    const credential = account.credential;
    if (credential.kind === 'hash') return Promise.resolve(scramCredentialsOf(credential.hash));
    // Plaintext accounts (tests, embedding): keys derived once per credential, with a per-name salt.
    let keys = plainScramKeys.get(credential);
    if (!keys) {
      keys = scramKeys(credential.password, { salt: digest(`mailroom-memory-scram\u0000${username}`).subarray(0, 16) });
      plainScramKeys.set(credential, keys);
    }
    return keys;
  }

  openUser(username: string, _info: ConnectionInfo): Promise<User | null> {
    return settle(() => {
      this.#checkOpen();
      const account = this.#accounts.get(username);
      return account ? new MemoryUser(this.#ctx, account) : null;
    });
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const name of [...this.#accounts.keys()]) this.#dropAccount(name);
    }
    return Promise.resolve();
  }

  createAccount(username: string, passwordHash: string): Promise<void> {
    return settle(() => {
      this.#checkOpen();
      assertAccountName(username);
      if (this.#accounts.has(username)) throw new StoreError('exists', 'account already exists');
      this.#addAccount(username, { kind: 'hash', hash: passwordHash });
    });
  }

  setPasswordHash(username: string, passwordHash: string): Promise<void> {
    const account = this.#accounts.get(username);
    if (!account) return Promise.reject(new StoreError('notFound', 'no such account'));
    this.#setCredential(account, { kind: 'hash', hash: passwordHash });
    return Promise.resolve();
  }

  deleteAccount(username: string): Promise<void> {
    if (!this.#accounts.has(username)) return Promise.reject(new StoreError('notFound', 'no such account'));
    this.#dropAccount(username);
    return Promise.resolve();
  }

  listAccounts(): Promise<string[]> {
    return Promise.resolve([...this.#accounts.keys()].sort());
  }

  accountExists(username: string): Promise<boolean> {
    return Promise.resolve(this.#accounts.has(username));
  }

  #setCredential(account: AccountState, credential: Credential): void {
    if (account.credential.kind === 'hash') this.#hashedAccounts--;
    account.credential = credential;
    if (credential.kind === 'hash') this.#hashedAccounts++;
  }

  #addAccount(name: string, credential: Credential): void {
    const account = new AccountState(name, credential);
    if (credential.kind === 'hash') this.#hashedAccounts++;
    account.mailboxes.set(INBOX, this.#ctx.newMailbox(INBOX));
    this.#accounts.set(name, account);
  }

  /** Remove an account; its opened mailboxes get 'gone'. */
  #dropAccount(name: string): void {
    const account = this.#accounts.get(name);
    if (!account) return;
    account.deleted = true;
    if (account.credential.kind === 'hash') this.#hashedAccounts--;
    this.#accounts.delete(name);
    for (const box of account.mailboxes.values()) {
      box.deleted = true;
      this.#ctx.gone(account, box);
    }
    this.#ctx.hub.clearAccount(name);
  }

  #checkOpen(): void {
    if (this.#closed) throw new StoreError('unavailable', 'store is closed');
  }
}

/** Create an empty memory store, with the given plaintext-password accounts. */
export function createMemoryBackend(options: MemoryBackendOptions = {}): MemoryBackend {
  return new MemoryBackendImpl(options);
}
