/**
 * The store contract (DESIGN.md section 3). Protocol layers (imap, pop3, lmtp) import this file and
 * store/errors.ts only; every store (memory, sqlite, postgres, anyone's) implements it and proves it with
 * runStoreConformance() from store/conformance.
 *
 * Rules every implementation keeps:
 * - Stores speak UIDs, UIDVALIDITY and MODSEQ; never sequence numbers or \Recent (session state).
 * - Mailbox names are UTF-8 with "/" as separator; "INBOX" is case-insensitive and always exists.
 * - Every mutation (append, flag change, expunge) bumps the mailbox MODSEQ and stamps the messages it
 *   touches; expunged UIDs are remembered with their MODSEQ.
 * - When a mutation's promise resolves, it is durable, and its change records have already been delivered
 *   to every `onChange` listener of the same process (so a session can report it at the end of the command
 *   that caused it). Changes made by other processes arrive asynchronously, in order.
 * - Failures the client should see are StoreError (store/errors.ts); anything else is a server bug.
 */
import type { Readable } from 'node:stream';
import type { MessageMeta } from '../message/types.ts';
import type { SearchQuery } from '../search/types.ts';
import type { ScramCredentials } from '../auth/types.ts';

/** Who is asking: lets a backend log, rate-limit or refuse by origin. */
export interface ConnectionInfo {
  readonly protocol: 'imap' | 'pop3' | 'lmtp' | 'cli' | (string & {});
  readonly remoteAddress?: string;
  readonly secure: boolean;
}

/** Entry point of a store: go-imap's backend.Backend. */
export interface Backend {
  /** Check a password and open the account. Rejects with StoreError('authFailed') on bad credentials. */
  login(username: string, password: string, info: ConnectionInfo): Promise<User>;
  /**
   * Open an account without a password, for callers that already authenticated the user by other means
   * (SASL SCRAM, local delivery). Resolves null for an unknown user. Optional.
   */
  openUser?(username: string, info: ConnectionInfo): Promise<User | null>;
  /**
   * The account's stored SCRAM-SHA-256 keys (RFC 5802 section 3; kept inside the credential string that
   * auth/password.ts hashPassword() writes, parsed by auth/scram-credential.ts), for AUTHENTICATE
   * SCRAM-SHA-256. Null for an unknown account or a credential without keys. Optional: the IMAP server
   * offers SCRAM-SHA-256 only when the backend has it (and openUser).
   */
  scramCredentials?(username: string): Promise<ScramCredentials | null>;
  /** Release everything the backend holds (database handles, watchers). */
  close?(): Promise<void>;
  /**
   * Optional interfaces every opened Mailbox implements, declared so that protocol servers can check them
   * when they are built (DESIGN.md section 3: fail at start-up, not at a client).
   */
  readonly features?: BackendFeatures;
}

/** What a backend declares about the optional interfaces of its mailboxes. */
export interface BackendFeatures {
  /** Every Mailbox it opens is a MovableMailbox (atomic MOVE, RFC 6851). */
  readonly move?: boolean;
}

/** RFC 6154 special-use attributes a mailbox may carry. */
export type SpecialUse = '\\All' | '\\Archive' | '\\Drafts' | '\\Flagged' | '\\Junk' | '\\Sent' | '\\Trash';

/** A mailbox as LIST sees it. */
export interface MailboxInfo {
  /** Full UTF-8 name, "/"-separated; the inbox is exactly "INBOX". */
  readonly name: string;
  /** RFC 8474 MAILBOXID: stable across renames, never reused. */
  readonly id: string;
  readonly specialUse: readonly SpecialUse[];
  readonly subscribed: boolean;
}

/** STATUS data. `recent` is absent on purpose: \Recent is IMAP session state. */
export interface MailboxStatus {
  readonly messages: number;
  readonly unseen: number;
  readonly uidNext: number;
  readonly uidValidity: number;
  readonly highestModseq: number;
  /** Sum of message sizes in octets (RFC 8438 STATUS SIZE). */
  readonly size: number;
  /** Messages with the \Deleted flag (RFC 9051 STATUS DELETED). */
  readonly deleted: number;
  readonly id: string;
}

/** One message to append. */
export interface AppendInput {
  /**
   * The message bytes, stored exactly as given (callers normalize line endings to CRLF). Never empty:
   * a zero-octet message is StoreError 'invalid' and fails the whole append (Dovecot refuses an empty APPEND).
   */
  readonly content: Buffer;
  readonly flags?: readonly string[];
  /** Internal date; defaults to now. */
  readonly internalDate?: Date;
  /** Metadata already parsed by the caller (delivery parses once for many recipients). */
  readonly meta?: MessageMeta;
}

/** Where appended or copied messages landed (RFC 4315 APPENDUID / COPYUID). */
export interface AppendResult {
  readonly uidValidity: number;
  /** UIDs in the order of the inputs. */
  readonly uids: readonly number[];
}

/** Result of COPY / MOVE: source and destination UIDs pair up by index, ascending source order. */
export interface CopyResult {
  readonly uidValidity: number;
  readonly sourceUids: readonly number[];
  readonly destinationUids: readonly number[];
}

/** An account's mail: go-imap's backend.User. */
export interface User {
  readonly username: string;
  /** Every existing mailbox, INBOX included, in no particular order. */
  listMailboxes(): Promise<MailboxInfo[]>;
  /** Subscribed names, which need not exist (LSUB shows them, RFC 3501 section 6.3.9). */
  listSubscriptions(): Promise<string[]>;
  /**
   * Create a mailbox and any missing parents. StoreError 'exists' when it already exists.
   * One trailing "/" is dropped first (RFC 3501 section 6.3.3: it only declares that children will follow),
   * so "a/" creates "a"; what remains must be a valid name ("a//" and "/" are 'invalid').
   * A special-use attribute RFC 6154 does not define is StoreError 'invalid' and nothing is created
   * (RFC 6154 section 3); duplicates are kept once.
   */
  createMailbox(name: string, options?: { specialUse?: readonly SpecialUse[] }): Promise<MailboxInfo>;
  /** Delete a mailbox and its messages; its children stay. INBOX cannot be deleted ('noPermission'). */
  deleteMailbox(name: string): Promise<void>;
  /**
   * Rename a mailbox and its children (RFC 3501 section 6.3.5). Renaming INBOX moves its messages to the
   * new mailbox and leaves INBOX empty. UIDVALIDITY of the moved mailboxes may change.
   * Subscriptions are not renamed (RFC 9051 section 6.3.6; RFC 3501 section 6.3.9; Dovecot): the old names
   * stay subscribed, the new ones are subscribed only if they already were. A target ending in "/" is
   * 'invalid' (unlike createMailbox, RENAME has no trailing-separator declaration).
   */
  renameMailbox(from: string, to: string): Promise<void>;
  /** Subscribe or unsubscribe a name (it need not exist). */
  setSubscribed(name: string, subscribed: boolean): Promise<void>;
  status(name: string): Promise<MailboxStatus>;
  /** Append messages all or nothing (RFC 3502 MULTIAPPEND). 'notFound' when the mailbox is missing. */
  append(name: string, messages: readonly AppendInput[]): Promise<AppendResult>;
  /**
   * Open a mailbox. `onChange` receives every change made after the snapshot was taken, in order,
   * including the changes this Mailbox makes itself (their `origin` is this Mailbox).
   */
  openMailbox(name: string, options: OpenMailboxOptions): Promise<Mailbox>;
  /** End of the session: close what is open for this user. */
  close(): Promise<void>;
}

/** Options for User.openMailbox. */
export interface OpenMailboxOptions {
  readonly readOnly: boolean;
  readonly onChange: (change: MailboxChange) => void;
}

/** The mailbox's state when it was opened. */
export interface MailboxSnapshot {
  readonly uidValidity: number;
  readonly uidNext: number;
  readonly highestModseq: number;
  /** UIDs of every message, ascending. */
  readonly uids: readonly number[];
  /** Keywords defined in this mailbox (for the FLAGS response). */
  readonly keywords: readonly string[];
  /** UID of the first message without \Seen, or null (for the UNSEEN response code). */
  readonly firstUnseenUid: number | null;
}

/** What one message looks like to FETCH without reading the body. */
export interface MessageRecord {
  readonly uid: number;
  readonly flags: readonly string[];
  readonly modseq: number;
  readonly internalDate: Date;
  /** RFC 8514 SAVEDATE. */
  readonly saveDate: Date;
  /** Size in octets (RFC822.SIZE). */
  readonly size: number;
  /** RFC 8474 EMAILID and THREADID. */
  readonly emailId: string;
  readonly threadId: string;
  /** Present when requested with `meta: true`. */
  readonly meta?: MessageMeta;
}

/** Access to one message's bytes without loading more than asked for. */
export interface MessageBody {
  readonly size: number;
  /** Bytes [start, end) as one Buffer: for small slices (headers, a part). */
  read(start?: number, end?: number): Promise<Buffer>;
  /** Bytes [start, end) as a stream with backpressure: for large bodies. */
  stream(start?: number, end?: number): Readable;
}

/** A flag change request (STORE). */
export interface FlagChange {
  readonly op: 'set' | 'add' | 'remove';
  readonly flags: readonly string[];
  /** RFC 7162 UNCHANGEDSINCE: messages with a higher MODSEQ are left alone and reported as modified. */
  readonly unchangedSince?: number;
}

/** A message's flags after a change. */
export interface FlagUpdate {
  readonly uid: number;
  readonly flags: readonly string[];
  readonly modseq: number;
}

/** Result of Mailbox.storeFlags. Messages whose flags did not change are not in `updated`. */
export interface StoreFlagsResult {
  readonly updated: readonly FlagUpdate[];
  /** UIDs refused because of unchangedSince. */
  readonly modified: readonly number[];
}

/** One record of the change feed. `origin` is the Mailbox whose call caused it, if any in this process. */
export type MailboxChange =
  | { readonly type: 'append'; readonly uids: readonly number[]; readonly modseq: number; readonly origin?: Mailbox }
  | { readonly type: 'flags'; readonly updates: readonly FlagUpdate[]; readonly origin?: Mailbox }
  | { readonly type: 'expunge'; readonly uids: readonly number[]; readonly modseq: number; readonly origin?: Mailbox }
  /** The mailbox's keyword list grew (IMAP sends a new FLAGS). */
  | { readonly type: 'keywords'; readonly keywords: readonly string[]; readonly origin?: Mailbox }
  /**
   * The mailbox was deleted or renamed away, or its UIDVALIDITY changed, or the store lost track of its
   * changes (a gap in a cross-process feed): the session must drop it. 'gone' is the last record a listener
   * hears: after it nothing more is delivered, even when the mailbox lives on under another name.
   */
  | { readonly type: 'gone' };

/** An opened mailbox: go-imap's backend.Mailbox, by UID only. */
export interface Mailbox {
  readonly info: MailboxInfo;
  readonly readOnly: boolean;
  readonly snapshot: MailboxSnapshot;
  /** Records of the given UIDs that still exist, ascending. Callers page (about 1,000 UIDs a call). */
  fetch(uids: readonly number[], options?: { meta?: boolean }): Promise<MessageRecord[]>;
  /** The message's bytes. 'notFound' when the message was expunged. */
  body(uid: number): Promise<MessageBody>;
  /** UIDs of matching messages, ascending. */
  search(query: SearchQuery): Promise<number[]>;
  /** Change flags; 'noPermission' when read-only. Records reach onChange listeners with origin = this. */
  storeFlags(uids: readonly number[], change: FlagChange): Promise<StoreFlagsResult>;
  /** Copy to another mailbox of the same user; 'notFound' for a missing destination (TRYCREATE). */
  copy(uids: readonly number[], destination: string): Promise<CopyResult>;
  /** Expunge messages flagged \Deleted, only among `uids` when given (UID EXPUNGE). Returns expunged UIDs. */
  expunge(uids?: readonly number[]): Promise<number[]>;
  /**
   * Remove the given messages whatever their flags, all or nothing (POP3 deletions). StoreError 'notFound',
   * removing nothing, when a UID names no message, including a value that cannot be a UID (0, negative,
   * fractional, NaN, above 2^32-1). The other calls taking UIDs skip such values as they skip unknown UIDs.
   */
  remove(uids: readonly number[]): Promise<number[]>;
  /** Stop the change feed for this opened mailbox. */
  close(): Promise<void>;
}

/** Optional: atomic MOVE (RFC 6851). Checked when the IMAP server is built. */
export interface MovableMailbox extends Mailbox {
  /** Copy then expunge atomically; the expunge reaches onChange listeners of the source. */
  move(uids: readonly number[], destination: string): Promise<CopyResult>;
}

/** True when a mailbox implements the optional MOVE interface. */
export function isMovable(mailbox: Mailbox): mailbox is MovableMailbox {
  return typeof (mailbox as Partial<MovableMailbox>).move === 'function';
}

/**
 * Optional: the expunge log (DESIGN.md section 3), for QRESYNC's VANISHED (EARLIER) (RFC 7162 section
 * 3.2.5.1). Added by the memory-store engineer; stores that keep (uid, modseq) of expunges expose it.
 */
export interface ExpungeLogMailbox extends Mailbox {
  /**
   * UIDs expunged with a MODSEQ greater than `modseq`, ascending. A store that trimmed its log may return
   * extra UIDs (RFC 7162 allows VANISHED to name UIDs the client never saw), never fewer.
   */
  expungedSince(modseq: number): Promise<number[]>;
}

/** True when a mailbox implements the optional expunge log interface. */
export function hasExpungeLog(mailbox: Mailbox): mailbox is ExpungeLogMailbox {
  return typeof (mailbox as Partial<ExpungeLogMailbox>).expungedSince === 'function';
}

/**
 * Optional: account administration, for stores that keep their own accounts (the daemon's CLI
 * `user add|passwd|del|list`). Password hashes come from auth/password.ts and are opaque to the store.
 */
export interface AccountAdmin {
  /**
   * Create an account with INBOX. StoreError 'exists' when the name is taken. Names are exact
   * (case-sensitive); StoreError 'invalid' for a name that is empty, longer than 256 UTF-8 octets, not
   * well-formed Unicode, or that contains a control character or white space (store/shared/account-names.ts).
   */
  createAccount(username: string, passwordHash: string): Promise<void>;
  /** StoreError 'notFound' for an unknown account. */
  setPasswordHash(username: string, passwordHash: string): Promise<void>;
  /** Delete an account and all its mail. StoreError 'notFound' for an unknown account. */
  deleteAccount(username: string): Promise<void>;
  /** Account names, sorted. */
  listAccounts(): Promise<string[]>;
  accountExists(username: string): Promise<boolean>;
}

/** True when a backend also administers accounts. */
export function hasAccountAdmin(backend: Backend): backend is Backend & AccountAdmin {
  return typeof (backend as Partial<AccountAdmin>).createAccount === 'function';
}
