/* eslint-disable @typescript-eslint/require-await -- the interface is async (Promise-returning) even where this implementation needs no await */
/**
 * POP3 over any store's INBOX (DESIGN.md section 2, issue 4 item 5), so IMAP and POP3 share one mailbox the
 * way they do in Dovecot:
 * - the message list is a snapshot of INBOX taken when the maildrop is locked (RFC 1939 section 8);
 * - UIDL values are built from UIDVALIDITY and UID (Dovecot's default `%08Xu%08Xv`, lower-case hex as Dovecot prints it), unique and stable;
 * - deletions at QUIT call Mailbox.remove (all or nothing), so IMAP sessions on INBOX get EXPUNGE through
 *   the store's change feed;
 * - a complete RETR marks the message \Seen, applied at QUIT in one store call (Dovecot's default and timing:
 *   one durable commit per session instead of one per RETR; a dropped connection marks nothing; `markSeen:
 *   false` turns it off);
 * - one maildrop lock per user shared by all POP3 sessions of the process (per backend object).
 * Sizes are the store's octet sizes: the store contract keeps messages with CRLF line endings, so they are
 * already the RFC 1939 sizes after CRLF normalization.
 */
import type { Readable } from 'node:stream';
import type { SaslIdentity } from '../auth/types.ts';
import { isStoreError } from '../store/errors.ts';
import type { Backend, ConnectionInfo, Mailbox, User } from '../store/types.ts';
import { Pop3ReportableError, type Pop3Handler, type Pop3Peer } from './handler.ts';

/** Records fetched per store call while taking the snapshot (the store contract asks callers to page). */
const FETCH_PAGE = 1000;

/** Options of storePop3Handler. */
export interface StorePop3HandlerOptions {
  /** Set \Seen (at QUIT) on the messages RETR has sent completely; default true (Dovecot's behaviour). */
  readonly markSeen?: boolean;
  /** Receives handleSessionError calls (handler failures, bugs). */
  readonly onError?: (err: unknown) => void;
}

/** Users holding a POP3 maildrop lock, per backend: "one lock per user per process". */
const locks = new WeakMap<Backend, Set<string>>();

function lockSet(backend: Backend): Set<string> {
  let set = locks.get(backend);
  if (!set) {
    set = new Set();
    locks.set(backend, set);
  }
  return set;
}

const AUTH_FAILED = (): Pop3ReportableError => new Pop3ReportableError('Authentication failed.', { code: 'AUTH' });

/** Map store failures to what a POP3 client may see; anything else stays an internal error. */
function clientError(err: unknown): unknown {
  if (!isStoreError(err)) return err;
  switch (err.kind) {
    case 'authFailed':
      return AUTH_FAILED();
    case 'unavailable':
      return new Pop3ReportableError('Temporary failure, please try again later.', { code: 'SYS/TEMP', cause: err });
    case 'inUse':
      return new Pop3ReportableError('Mailbox is in use.', { code: 'IN-USE', cause: err });
    case 'notFound':
    case 'expired':
      return new Pop3ReportableError('Message no longer exists.', { cause: err });
    default:
      return new Pop3ReportableError(err.message, { code: 'SYS/PERM', cause: err });
  }
}

/** One connection's view of the store. */
class StorePop3Handler implements Pop3Handler {
  private user: User | null = null;
  private mailbox: Mailbox | null = null;
  private lockedName: string | null = null;
  private uids: number[] = [];
  private sizes: number[] = [];
  private uidValidity = 0;
  /** UIDs of the snapshot that another session expunged meanwhile (learned from the change feed). */
  private readonly vanished = new Set<number>();
  /** UIDs sent completely by RETR: flagged \Seen at QUIT (enterUpdate). */
  private readonly retrieved = new Set<number>();

  constructor(
    private readonly backend: Backend,
    private readonly peer: Pop3Peer,
    private readonly options: StorePop3HandlerOptions,
  ) {}

  /**
   * What the store is told about the connection, read at each login: the peer is live, so a login after
   * STLS reports `secure: true` (the store may refuse plaintext passwords on insecure connections).
   */
  private get info(): ConnectionInfo {
    const { peer } = this;
    return { protocol: 'pop3', secure: peer.secure, ...(peer.remoteAddress === undefined ? {} : { remoteAddress: peer.remoteAddress }) };
  }

  async authenticatePass(username: string, password: string): Promise<void> {
    let user: User;
    try {
      user = await this.backend.login(username, password, this.info);
    } catch (err) {
      throw clientError(err);
    }
    await this.setUser(user);
  }

  async authenticateSasl(identity: SaslIdentity): Promise<void> {
    // No proxy authorization: the authorization identity, when given, must be the user itself.
    if (identity.authzid !== undefined && identity.authzid !== identity.username) throw AUTH_FAILED();
    if (identity.kind === 'password') {
      await this.authenticatePass(identity.username, identity.password);
      return;
    }
    let user: User | null;
    try {
      user = this.backend.openUser ? await this.backend.openUser(identity.username, this.info) : null;
    } catch (err) {
      throw clientError(err);
    }
    if (!user) throw AUTH_FAILED();
    await this.setUser(user);
  }

  private async setUser(user: User): Promise<void> {
    // A client may authenticate again after a refused lock: drop the previous account first.
    if (this.user && this.user !== user) await this.user.close();
    this.user = user;
  }

  async setBanner(): Promise<void> {
    // The store keeps no shared secrets, so this handler has no authenticateApop and APOP is never offered.
  }

  async lockMaildrop(): Promise<void> {
    const user = this.user;
    if (!user) throw new Error('lockMaildrop before authentication');
    const held = lockSet(this.backend);
    if (held.has(user.username)) throw new Pop3ReportableError('Maildrop is locked by another POP3 session.', { code: 'IN-USE' });
    held.add(user.username);
    this.lockedName = user.username;
    try {
      const mailbox = await user.openMailbox('INBOX', {
        readOnly: false,
        onChange: (change) => {
          if (change.type === 'expunge') for (const uid of change.uids) this.vanished.add(uid);
        },
      });
      this.mailbox = mailbox;
      this.uidValidity = mailbox.snapshot.uidValidity;
      const uids: number[] = [];
      const sizes: number[] = [];
      const all = mailbox.snapshot.uids;
      for (let i = 0; i < all.length; i += FETCH_PAGE) {
        // Messages expunged between the snapshot and this fetch are left out: the list stays consistent.
        for (const record of await mailbox.fetch(all.slice(i, i + FETCH_PAGE))) {
          uids.push(record.uid);
          sizes.push(record.size);
        }
      }
      this.uids = uids;
      this.sizes = sizes;
    } catch (err) {
      throw clientError(err);
    }
  }

  async getMessageCount(): Promise<number> {
    return this.uids.length;
  }

  async getMessageSize(number: number): Promise<number> {
    return this.sizes[this.index(number)];
  }

  async getMessageId(number: number): Promise<string> {
    const hex = (n: number): string => n.toString(16).padStart(8, '0');
    return `${hex(this.uids[this.index(number)])}${hex(this.uidValidity)}`;
  }

  async getMessageReader(number: number): Promise<Readable> {
    const uid = this.uids[this.index(number)];
    if (this.vanished.has(uid)) throw new Pop3ReportableError('Message was deleted by another session.');
    try {
      const body = await this.openMailbox().body(uid);
      return body.stream();
    } catch (err) {
      throw clientError(err);
    }
  }

  async messageRetrieved(number: number): Promise<void> {
    if (this.options.markSeen === false) return;
    this.retrieved.add(this.uids[this.index(number)]);
  }

  async enterUpdate(deleted: readonly number[]): Promise<void> {
    // Messages about to be removed need no flag; those another session expunged are gone.
    for (const n of deleted) this.retrieved.delete(this.uids[this.index(n)]);
    const uids = [...this.retrieved].filter((uid) => !this.vanished.has(uid)).sort((a, b) => a - b);
    this.retrieved.clear();
    if (uids.length === 0) return;
    try {
      // storeFlags skips UIDs expunged meanwhile by another process (store contract), so no race to handle.
      await this.openMailbox().storeFlags(uids, { op: 'add', flags: ['\\Seen'] });
    } catch (err) {
      throw clientError(err);
    }
  }

  async deleteMessages(numbers: readonly number[]): Promise<void> {
    const mailbox = this.openMailbox();
    // Messages another session already expunged are gone, which is what the client asked for.
    const uids = numbers.map((n) => this.uids[this.index(n)]).filter((uid) => !this.vanished.has(uid));
    if (uids.length === 0) return;
    uids.sort((a, b) => a - b);
    try {
      await mailbox.remove(uids);
    } catch (err) {
      if (!isStoreError(err, 'notFound')) throw clientError(err);
      // Lost a race with an expunge from another process: remove what still exists (still all or nothing).
      const existing = (await mailbox.fetch(uids)).map((record) => record.uid);
      if (existing.length === 0) return;
      try {
        await mailbox.remove(existing);
      } catch (retryErr) {
        throw clientError(retryErr);
      }
    }
  }

  handleSessionError(err: unknown): void {
    this.options.onError?.(err);
  }

  async unlockMaildrop(): Promise<void> {
    const mailbox = this.mailbox;
    const user = this.user;
    this.mailbox = null;
    this.user = null;
    try {
      if (mailbox) await mailbox.close();
      if (user) await user.close();
    } finally {
      if (this.lockedName !== null) lockSet(this.backend).delete(this.lockedName);
      this.lockedName = null;
    }
  }

  private index(number: number): number {
    if (!Number.isInteger(number) || number < 1 || number > this.uids.length) throw new Pop3ReportableError(`There's no message ${number}.`);
    return number - 1;
  }

  private openMailbox(): Mailbox {
    if (!this.mailbox) throw new Error('maildrop is not locked');
    return this.mailbox;
  }
}

/**
 * POP3 over the store's INBOX: returns an `onConnection` callback for Pop3Server that creates one handler
 * per connection. Example: `new Pop3Server({ onConnection: storePop3Handler(backend) })`.
 */
export function storePop3Handler(backend: Backend, options: StorePop3HandlerOptions = {}): (peer: Pop3Peer) => Pop3Handler {
  return (peer) => new StorePop3Handler(backend, peer, options);
}
