/**
 * One IMAP connection: reads commands through the resumable receiver, runs them strictly in order
 * (pipelined input simply waits in the receiver), funnels every error into one tagged response, turns
 * store changes into untagged responses at the moments RFC 3501 allows, and implements CommandContext.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import type { SaslServer } from '../../auth/types.ts';
import { isStoreError } from '../../store/errors.ts';
import type { Backend, MailboxChange, User } from '../../store/types.ts';
import type {
  CommandContext,
  CommandResult,
  CommandSpec,
  ConnectionFacts,
  ResponseCode,
  ResponseWriter,
  SessionState,
  StatusKind,
} from '../commands/types.ts';
import { NO_STATUS } from '../commands/types.ts';
import { CAP, PLAINTEXT_MECHANISMS } from '../protocol/capabilities.ts';
import { ImapError, storeErrorCode } from '../protocol/errors.ts';
import { CODES } from '../protocol/response-codes.ts';
import { atom, type ImapValue } from '../protocol/values.ts';
import { flagsValue } from '../fetch/flags.ts';
import { DecodeError, ImapDecoder } from '../wire/decoder.ts';
import { encodeContinuation, encodeStatus, encodeUntagged } from '../wire/encoder.ts';
import { ImapReceiver, type LiteralEvent, type ReceiverErrorEvent } from '../wire/receiver.ts';
import type { ConnectionView, SessionConfig } from './config.ts';
import { claimRecent, recentKey } from './recent.ts';
import { SelectedMailbox } from './selected.ts';
import { MailboxTracker, type TrackerUpdate } from './tracker.ts';

/** Consecutive BAD commands before the connection is dropped (Dovecot's CLIENT_MAX_BAD_COMMANDS). */
export const MAX_BAD_COMMANDS = 20;
/** Failed authentications per connection before it is dropped (Dovecot's imap-login allows 3). */
export const MAX_AUTH_FAILURES = 3;
/**
 * Largest literal accepted outside APPEND (passwords, SEARCH strings, mailbox names): nothing but a
 * message needs more, and every accepted literal is held in memory until its command runs.
 */
export const MAX_ARGUMENT_LITERAL = 1024 * 1024;
/** Pipelined input buffered while a command runs before the socket is paused (read backpressure). */
export const INPUT_HIGH_WATER = 1024 * 1024;
/** RFC 7888 section 5: with LITERAL- advertised, a non-synchronizing literal may be at most 4096 bytes. */
export const LITERAL_MINUS_MAX = 4096;
/** Commands whose literal is a message, limited by maxLiteralSize rather than MAX_ARGUMENT_LITERAL. */
const MESSAGE_LITERAL_COMMANDS: ReadonlySet<string> = new Set(['APPEND']);
/** The system flags in the order Dovecot lists them in FLAGS. */
const SYSTEM_FLAGS_ORDER = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];

let connectionCounter = 0;

/** Whether an address is loopback (127/8, ::1, IPv4-mapped 127/8). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(a) === 4) return a.startsWith('127.');
  return a === '::1';
}

/** Split a command's leading `tag SP name [SP UID-subcommand]`; null parts when malformed. */
function peekCommand(bytes: Buffer): { tag: string | null; name: string | null } {
  const dec = new ImapDecoder(bytes);
  let tag: string | null = null;
  try {
    tag = dec.tag();
    dec.sp();
    let name = dec.atom().toUpperCase();
    if (name === 'UID' && dec.peekByte() === 0x20) {
      dec.sp();
      name = `UID ${dec.atom().toUpperCase()}`;
    }
    return { tag, name };
  } catch {
    return { tag, name: null };
  }
}

/** The session. Public members beyond CommandContext are what ImapServer.connections() exposes. */
export class ImapSession implements CommandContext {
  readonly id: string;
  state: SessionState = 'notAuthenticated';
  user: User | null = null;
  selected: SelectedMailbox | null = null;
  readonly enabled = new Set<string>();
  readonly out: ResponseWriter;
  readonly connection: ConnectionFacts;

  private stream: Duplex;
  private readonly receiver = new ImapReceiver();
  private readonly writer: import('./writer.ts').OutputWriter;
  private secureNow: boolean;
  private currentTag = '*';
  private busy = false;
  private closed = false;
  private badCount = 0;
  private authFailures = 0;
  private logoutRequested = false;
  private pendingUpgrade: string | null = null;
  private compressed = false;
  private wake: (() => void) | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly onData = (chunk: Buffer): void => {
    this.receiver.push(chunk);
    if (this.receiver.pendingBytes > INPUT_HIGH_WATER) this.stream.pause();
    this.armIdleTimer();
    this.poke();
  };
  private readonly onEnd = (): void => {
    void this.close();
  };
  private readonly onError = (err: Error): void => {
    this.log('debug', 'connection error', { err: err.message });
    void this.close();
  };
  private closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    stream: Duplex,
    private readonly config: SessionConfig,
    options: { secure: boolean; remoteAddress?: string; writer: import('./writer.ts').OutputWriter },
  ) {
    this.id = `${(++connectionCounter).toString(36)}${randomBytes(3).toString('hex')}`;
    this.stream = stream;
    this.secureNow = options.secure;
    this.writer = options.writer;
    this.writer.label(this.id);
    const remoteAddress = options.remoteAddress ?? '';
    const facts = { id: this.id, remoteAddress, loopback: isLoopbackAddress(remoteAddress), secure: false };
    // `secure` changes after STARTTLS: a live getter, not a copy.
    Object.defineProperty(facts, 'secure', { get: () => this.secureNow, enumerable: true });
    this.connection = facts;
    this.out = {
      untagged: (...values: ImapValue[]) => this.writer.write(encodeUntagged(values, this.encodingOptions())),
      status: (kind, text, code) => this.writer.write(encodeStatus('*', kind, text, code, this.encodingOptions())),
      raw: (bytes: Buffer) => this.writer.write(bytes),
      stream: (source: Readable) => this.writer.pipe(source),
    };
    this.closedPromise = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
  }

  /** Facts for extensions and upgraders. */
  view(): ConnectionView {
    return {
      id: this.id,
      secure: this.secureNow,
      state: this.state,
      loopback: this.connection.loopback,
      compressed: this.compressed,
    };
  }

  /** Resolves when the connection is closed. */
  get closedSignal(): Promise<void> {
    return this.closedPromise;
  }

  // --- CommandContext -------------------------------------------------------------------------------

  get tag(): string {
    return this.currentTag;
  }

  get backend(): Backend {
    return this.config.backend;
  }

  get plaintextAuthAllowed(): boolean {
    return this.secureNow || this.config.allowInsecureAuth || (this.config.loopbackIsSecure && this.connection.loopback);
  }

  /** Whether COMPRESS=DEFLATE is active (RFC 4978: one compression layer per connection). */
  get compressionActive(): boolean {
    return this.compressed || this.pendingUpgrade === 'compress';
  }

  /** Whether an upgrade (STARTTLS, COMPRESS) will be applied after the running command's OK. */
  get upgradePending(): boolean {
    return this.pendingUpgrade !== null;
  }

  /** Whether IMAP4rev2 is enabled (RFC 9051 appendix E behaviours, e.g. no \Recent). */
  get rev2(): boolean {
    return this.enabled.has('IMAP4REV2');
  }

  /** Whether 8-bit UTF-8 may be used in quoted strings and mailbox names (RFC 6855). */
  get utf8(): boolean {
    return this.enabled.has('UTF8=ACCEPT') || this.enabled.has('IMAP4REV2');
  }

  capabilities(): string[] {
    const caps: string[] = [CAP.IMAP4REV1];
    if (this.state === 'notAuthenticated') {
      if (this.config.starttls && !this.secureNow) caps.push(CAP.STARTTLS);
      const plain = this.plaintextAuthAllowed;
      if (!plain) caps.push(CAP.LOGINDISABLED);
      for (const name of this.config.mechanisms.keys()) {
        if (plain || !PLAINTEXT_MECHANISMS.has(name)) caps.push(CAP.AUTH_PREFIX + name);
      }
    }
    caps.push(...this.config.extensionCapabilities(this.view()));
    return caps;
  }

  async continuation(text: string): Promise<Buffer> {
    await this.writer.write(encodeContinuation(text));
    for (;;) {
      const ev = this.receiver.next();
      if (ev === null) {
        if (this.closed) throw new ImapError('BAD', 'Connection closed');
        // Waiting for the client is idle time: the idle timer may end a stalled exchange.
        this.busy = false;
        try {
          await this.waitInput();
        } finally {
          this.busy = true;
        }
        continue;
      }
      if (ev.type === 'command') {
        // Continuation lines answer AUTHENTICATE (credentials) or IDLE: never mirrored in clear.
        this.writer.mirrorClient('<continuation data redacted>');
        return ev.bytes;
      }
      if (ev.type === 'literal') {
        this.receiver.rejectLiteral();
        throw new ImapError('BAD', 'Literal not allowed here');
      }
      await this.receiverFailed(ev);
      throw new ImapError('BAD', 'Input refused');
    }
  }

  login(user: User): Promise<void> {
    this.user = user;
    this.state = 'authenticated';
    this.badCount = 0;
    this.armIdleTimer();
    this.log('info', 'logged in', { user: user.username });
    return Promise.resolve();
  }

  /** Called by LOGIN/AUTHENTICATE on bad credentials: delay, count, and drop after too many. */
  async authFailed(): Promise<void> {
    this.authFailures++;
    if (this.config.authFailureDelay > 0) await new Promise((r) => setTimeout(r, this.config.authFailureDelay));
    if (this.authFailures >= MAX_AUTH_FAILURES) {
      this.logoutAfterCommand = 'Too many invalid authentication attempts.';
    }
  }

  private logoutAfterCommand: string | null = null;
  private readonly updateListeners = new Set<() => void>();

  flushUpdates(): Promise<void> {
    return this.flushTracker(true);
  }

  onUpdate(listener: () => void): () => void {
    this.updateListeners.add(listener);
    return () => {
      this.updateListeners.delete(listener);
    };
  }

  async recentCount(name: string): Promise<number> {
    const user = this.requireUser();
    if (this.selected && this.selected.mailbox.info.name === name) return this.selected.tracker.recentCount;
    const mailbox = await user.openMailbox(name, { readOnly: true, onChange: () => {} });
    try {
      const snap = mailbox.snapshot;
      return claimRecent(this.config.backend, recentKey(user.username, mailbox.info.id, snap.uidValidity), snap.uids, true).length;
    } finally {
      await mailbox.close();
    }
  }

  async select(name: string, readOnly: boolean): Promise<void> {
    const user = this.requireUser();
    // No `* OK [CLOSED]` here: that code belongs to QRESYNC (RFC 7162 3.2.11), which is not advertised.
    if (this.selected) await this.unselect({ expunge: false });
    const early: MailboxChange[] = [];
    let tracker: MailboxTracker | null = null;
    const mailbox = await user.openMailbox(name, {
      readOnly,
      onChange: (change) => {
        if (tracker) tracker.push(change);
        else early.push(change);
      },
    });
    const snap = mailbox.snapshot;
    const ro = mailbox.readOnly;
    const key = recentKey(user.username, mailbox.info.id, snap.uidValidity);
    const backend = this.config.backend;
    tracker = new MailboxTracker(snap.uids, (uids) => claimRecent(backend, key, uids, ro));
    tracker.own = mailbox;
    for (const change of early) tracker.push(change);
    tracker.onPending = () => {
      for (const listener of [...this.updateListeners]) listener();
    };
    this.selected = new SelectedMailbox(mailbox, ro, tracker);
    this.state = 'selected';

    // RFC 3501 section 6.3.1, in Dovecot's order.
    await this.out.untagged(atom('FLAGS'), this.flagList(snap.keywords, false));
    await this.out.status('OK', ro ? 'Read-only mailbox.' : 'Flags permitted.', {
      name: CODES.PERMANENTFLAGS,
      args: [ro ? [] : this.flagList(snap.keywords, true)],
    });
    await this.out.untagged(tracker.exists, atom('EXISTS'));
    // RFC 9051 appendix E items 11 and 12: no RECENT response and no UNSEEN code in IMAP4rev2 (section
    // 6.3.2 lists what SELECT returns; clients find the first unseen message with SEARCH UNSEEN).
    if (!this.rev2) await this.out.untagged(tracker.recentCount, atom('RECENT'));
    if (snap.firstUnseenUid !== null && !this.rev2) {
      const seq = tracker.seqOf(snap.firstUnseenUid);
      if (seq > 0) await this.out.status('OK', `First unseen.`, { name: CODES.UNSEEN, args: [seq] });
    }
    await this.out.status('OK', 'UIDs valid', { name: CODES.UIDVALIDITY, args: [snap.uidValidity] });
    await this.out.status('OK', 'Predicted next UID', { name: CODES.UIDNEXT, args: [snap.uidNext] });
  }

  async unselect(options: { expunge: boolean }): Promise<void> {
    const sel = this.selected;
    if (!sel) return;
    // Drop the view first: CLOSE's expunge is silent (RFC 3501 section 6.4.2), so its change records
    // must not reach the client.
    this.selected = null;
    this.state = 'authenticated';
    try {
      if (options.expunge && !sel.readOnly) await sel.mailbox.expunge();
    } finally {
      await sel.mailbox.close();
    }
  }

  enable(names: readonly string[]): string[] {
    const added: string[] = [];
    for (const raw of names) {
      const name = raw.toUpperCase();
      if (this.config.enableable.has(name) && !this.enabled.has(name)) {
        this.enabled.add(name);
        added.push(raw);
      }
    }
    return added;
  }

  upgradeAfterResponse(kind: 'starttls' | 'compress'): void {
    this.pendingUpgrade = kind;
  }

  /**
   * UNAUTHENTICATE (RFC 8437 section 3): back to the not-authenticated state with every per-login state
   * reset (selected mailbox closed without expunge, ENABLEd extensions off); TLS stays. A compression
   * layer cannot be torn down cleanly in the middle of a stream, so with COMPRESS active the connection is
   * closed with BYE, which section 3 allows.
   */
  async unauthenticate(): Promise<boolean> {
    if (this.compressed) {
      this.logoutAfterCommand = 'Cannot unauthenticate with COMPRESS active; reconnect.';
      return false;
    }
    const sel = this.selected;
    const user = this.user;
    this.selected = null;
    this.user = null;
    this.state = 'notAuthenticated';
    this.enabled.clear();
    this.authFailures = 0;
    this.armIdleTimer();
    try {
      if (sel) await sel.mailbox.close();
      if (user) await user.close();
    } catch (err) {
      this.log('warn', 'error while unauthenticating', { err: String(err) });
    }
    if (user) this.log('info', 'unauthenticated', { user: user.username });
    return true;
  }

  saslMechanism(name: string): SaslServer | null {
    const factory = this.config.mechanisms.get(name.toUpperCase());
    if (!factory) return null;
    const lookup = this.config.credentialLookup;
    return factory(lookup ? { secure: this.secureNow, lookup } : { secure: this.secureNow });
  }

  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown> = {}): void {
    this.config.logger[level]({ conn: this.id, ...fields }, message);
  }

  logout(): void {
    this.logoutRequested = true;
  }

  // --- connection lifecycle ----------------------------------------------------------------------------

  /** Send the greeting and serve commands until the connection ends. */
  start(): void {
    this.attach(this.stream);
    this.armIdleTimer();
    void this.loop().catch((err: unknown) => {
      this.log('error', 'session loop failed', { err: String(err) });
      void this.close();
    });
  }

  private attach(stream: Duplex): void {
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('close', this.onEnd);
    stream.on('error', this.onError);
  }

  private detach(stream: Duplex): void {
    stream.off('data', this.onData);
    stream.off('end', this.onEnd);
    stream.off('close', this.onEnd);
    stream.off('error', this.onError);
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private waitInput(): Promise<void> {
    if (this.stream.isPaused()) this.stream.resume();
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private async loop(): Promise<void> {
    await this.writer.write(
      encodeStatus('*', 'OK', this.config.greeting, { name: CODES.CAPABILITY, args: this.capabilities().map(atom) }),
    );
    while (!this.closed) {
      const ev = this.receiver.next();
      if (ev === null) {
        await this.waitInput();
        continue;
      }
      this.busy = true;
      try {
        if (ev.type === 'command') await this.execute(ev.bytes);
        else if (ev.type === 'literal') await this.onLiteral(ev);
        else await this.receiverFailed(ev);
      } finally {
        this.busy = false;
      }
    }
  }

  /** Decide on an announced literal BEFORE any `+` (RFC 3501 7.5; TOOBIG for APPEND). */
  private async onLiteral(ev: LiteralEvent): Promise<void> {
    const { tag, name } = peekCommand(ev.prefix);
    let refusal: ImapError | null = null;
    let discard = false;
    const spec = name ? this.config.commands.get(name) : undefined;
    if (tag === null) refusal = new ImapError('BAD', 'Invalid tag');
    else if (!spec) refusal = new ImapError('BAD', name ? 'Unknown command' : 'Invalid command');
    else if (!spec.states.includes(this.state)) refusal = new ImapError('BAD', `${spec.name} not allowed in this state`);
    else if (MESSAGE_LITERAL_COMMANDS.has(spec.name)) {
      if (ev.size > this.config.maxLiteralSize) refusal = new ImapError('NO', 'Message too large', { name: CODES.TOOBIG });
    } else if (ev.size > MAX_ARGUMENT_LITERAL) {
      refusal = new ImapError('BAD', 'Literal too large', { name: CODES.LIMIT });
    }
    if (!refusal && ev.nonSync && this.config.literalMinus && ev.size > LITERAL_MINUS_MAX) {
      // RFC 7888 section 5 (LITERAL-): BAD, with TOOBIG for APPEND. The literal is within the limits this
      // command would accept synchronously, so its bytes are read and dropped (section 4, choice 1) and
      // the connection stays usable: no BYE that naive clients answer by reconnecting and retrying.
      refusal = new ImapError('BAD', 'Non-synchronizing literal larger than 4096 bytes', { name: CODES.TOOBIG });
      discard = true;
    }
    if (refusal) {
      await this.writer.write(encodeStatus(tag ?? '*', refusal.status, refusal.message, refusal.code));
      if (refusal.status === 'BAD') this.countBad();
      if (discard) {
        this.receiver.discardLiteral(ev.size);
        return;
      }
      if (ev.nonSync) {
        // The client is already sending the bytes: the stream cannot be resynchronized (RFC 7888 section 4).
        await this.bye('Literal refused; closing connection.');
        return;
      }
      this.receiver.rejectLiteral();
      return;
    }
    if (!ev.nonSync) await this.writer.write(encodeContinuation('Ready for literal data'));
    this.receiver.acceptLiteral(ev.size);
  }

  private async receiverFailed(ev: ReceiverErrorEvent): Promise<void> {
    const { tag } = peekCommand(ev.prefix);
    const text = ev.reason === 'lineTooLong' ? 'Line too long' : 'Command too long';
    if (tag) await this.writer.write(encodeStatus(tag, 'BAD', text, { name: CODES.LIMIT }));
    await this.bye(`${text}; closing connection.`);
  }

  private mirrorCommand(bytes: Buffer, name: string | null): void {
    if (!this.config.debug) return;
    if (name === 'LOGIN' || name === 'AUTHENTICATE') {
      const { tag } = peekCommand(bytes);
      this.writer.mirrorClient(`${tag ?? '*'} ${name} <credentials redacted>`);
    } else {
      const text = bytes.length > 4096 ? bytes.toString('latin1', 0, 4096) + '<...>' : bytes.toString('latin1');
      this.writer.mirrorClient(text);
    }
  }

  /** Run one complete command: decode, check state, run, flush updates, write the tagged status. */
  private async execute(bytes: Buffer): Promise<void> {
    const dec = new ImapDecoder(bytes, { utf8: this.utf8 });
    let tag: string;
    try {
      tag = dec.tag();
    } catch {
      this.mirrorCommand(bytes, null);
      await this.writer.write(encodeStatus('*', 'BAD', 'Invalid tag'));
      this.countBad();
      return;
    }
    let name: string;
    try {
      dec.sp();
      name = dec.atom().toUpperCase();
      if (name === 'UID') {
        dec.sp();
        name = `UID ${dec.atom().toUpperCase()}`;
      }
    } catch {
      this.mirrorCommand(bytes, null);
      await this.finish(tag, null, new ImapError('BAD', 'Invalid command'));
      return;
    }
    this.mirrorCommand(bytes, name);
    this.currentTag = tag;
    const spec = this.config.commands.get(name);
    if (!spec) {
      await this.finish(tag, null, new ImapError('BAD', 'Unknown command'));
      return;
    }
    if (!spec.states.includes(this.state)) {
      const text =
        this.state === 'notAuthenticated'
          ? `${name} requires authentication`
          : this.state === 'authenticated' && spec.states.includes('selected')
            ? 'No mailbox selected'
            : `${name} not allowed in this state`;
      await this.finish(tag, spec, new ImapError('BAD', text));
      return;
    }
    let outcome: unknown;
    try {
      const args = spec.parse(dec, { utf8: this.utf8, enabled: this.enabled });
      outcome = await spec.run(this, args);
    } catch (err) {
      outcome = err;
    }
    await this.finish(tag, spec, outcome);
  }

  /** The error funnel and tagged response (DESIGN.md section 4). */
  private async finish(tag: string, spec: CommandSpec | null, outcome: unknown): Promise<void> {
    let status: StatusKind = 'OK';
    let code: ResponseCode | undefined;
    let text = spec ? `${spec.name} completed` : 'Completed';
    let suppress = false;
    if (outcome === NO_STATUS) {
      suppress = true;
    } else if (outcome instanceof ImapError) {
      status = outcome.status;
      code = outcome.code;
      text = outcome.message;
    } else if (outcome instanceof DecodeError) {
      status = 'BAD';
      text = `Error in IMAP command ${spec?.name ?? ''}: ${outcome.message}`;
    } else if (isStoreError(outcome)) {
      status = 'NO';
      code = storeErrorCode(outcome.kind);
      text = outcome.message;
    } else if (outcome instanceof Error) {
      status = 'NO';
      code = { name: CODES.SERVERBUG };
      text = `Internal error occurred. Refer to server log for more information. [${this.id}]`;
      this.log('error', 'command failed', { command: spec?.name, err: outcome.stack ?? outcome.message });
    } else if (outcome && typeof outcome === 'object') {
      const r = outcome as CommandResult;
      status = r.status ?? 'OK';
      code = r.code;
      text = r.text ?? text;
    }
    if (status === 'BAD') this.countBad();
    else this.badCount = 0;

    await this.flushTracker(spec?.expunge === 'allow');
    if (this.closed) return;
    if (this.logoutRequested) {
      await this.writer.write(encodeStatus('*', 'BYE', 'Logging out'));
      if (!suppress) await this.writer.write(encodeStatus(tag, status, text, code, this.encodingOptions()));
      await this.close();
      return;
    }
    if (!suppress) {
      const buf = encodeStatus(tag, status, text, code, this.encodingOptions());
      const upgrade = status === 'OK' ? this.pendingUpgrade : null;
      this.pendingUpgrade = null;
      if (upgrade) {
        this.applyUpgrade(upgrade, buf);
      } else {
        await this.writer.write(buf);
      }
    }
    if (this.logoutAfterCommand) await this.bye(this.logoutAfterCommand);
    else if (this.badCount >= MAX_BAD_COMMANDS) await this.bye('Too many invalid IMAP commands.');
  }

  /**
   * Write the tagged OK and swap the stream in the same tick, so the old layer reads nothing after the OK.
   * Whatever the client pipelined behind the command is discarded (RFC 3501 section 6.2.1, RFC 2595 3.1:
   * the STARTTLS command injection defence).
   */
  private applyUpgrade(kind: string, okResponse: Buffer): void {
    const upgrader = this.config.upgraders.get(kind);
    if (!upgrader) {
      void this.writer.write(okResponse);
      return;
    }
    const old = this.stream;
    this.detach(old);
    this.receiver.reset();
    void this.writer.write(okResponse);
    const next = upgrader.upgrade(old, this.view());
    this.stream = next;
    this.writer.setStream(next);
    if (upgrader.secure) this.secureNow = true;
    if (kind === 'compress') this.compressed = true;
    this.attach(next);
  }

  private countBad(): void {
    this.badCount++;
  }

  private async flushTracker(allowExpunge: boolean): Promise<void> {
    const sel = this.selected;
    if (!sel || !sel.tracker.hasPending) return;
    const updates = sel.tracker.flush(allowExpunge);
    for (const u of updates) await this.writeUpdate(sel, u);
  }

  private async writeUpdate(sel: SelectedMailbox, u: TrackerUpdate): Promise<void> {
    switch (u.type) {
      case 'expunge':
        await this.out.untagged(u.seq, atom('EXPUNGE'));
        break;
      case 'exists':
        await this.out.untagged(u.count, atom('EXISTS'));
        break;
      case 'recent':
        if (!this.rev2) await this.out.untagged(u.count, atom('RECENT'));
        break;
      case 'keywords':
        await this.out.untagged(atom('FLAGS'), this.flagList(u.keywords, false));
        if (!sel.readOnly) {
          await this.out.status('OK', 'Flags permitted.', { name: CODES.PERMANENTFLAGS, args: [this.flagList(u.keywords, true)] });
        }
        break;
      case 'fetch':
        // Dovecot's order (system flags, \Recent, keywords), as FETCH FLAGS writes them. IMAP4rev2 has no
        // \Recent and requires UID in every unsolicited FETCH (RFC 9051 appendix E items 12 and 21).
        if (this.rev2) {
          await this.out.untagged(u.seq, atom('FETCH'), [atom('UID'), u.uid, atom('FLAGS'), flagsValue(u.flags, false)]);
        } else {
          await this.out.untagged(u.seq, atom('FETCH'), [atom('FLAGS'), flagsValue(u.flags, u.recent)]);
        }
        break;
      case 'gone':
        this.selected = null;
        await this.bye('Selected mailbox was deleted, have to disconnect.');
        break;
    }
  }

  private flagList(keywords: readonly string[], permanent: boolean): ImapValue[] {
    const list: ImapValue[] = [...SYSTEM_FLAGS_ORDER, ...keywords].map(atom);
    if (permanent) list.push(atom('\\*'));
    return list;
  }

  private requireUser(): User {
    if (!this.user) throw new ImapError('BAD', 'Not authenticated');
    return this.user;
  }

  private encodingOptions(): { utf8: boolean } {
    return { utf8: this.utf8 };
  }

  private armIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.closed) return;
    const ms = this.state === 'notAuthenticated' ? this.config.preAuthTimeout : this.config.autoLogout;
    if (ms <= 0) return;
    this.idleTimer = setTimeout(() => {
      if (this.busy) {
        this.armIdleTimer();
        return;
      }
      void this.bye('Disconnected for inactivity.');
    }, ms);
    this.idleTimer.unref();
  }

  /** Send `* BYE text` and close. */
  async bye(text: string): Promise<void> {
    if (this.closed) return;
    await this.writer.write(encodeStatus('*', 'BYE', text));
    await this.close();
  }

  /** Graceful shutdown from the server: BYE now if idle, else right after the running command. */
  async shutdown(text = 'Server shutting down.'): Promise<void> {
    if (this.closed) return;
    if (this.busy) this.logoutAfterCommand = text;
    else await this.bye(text);
  }

  /** Drop the transport at once (after close() when the peer does not finish the TCP close). */
  destroy(): void {
    this.stream.destroy();
  }

  /** Close the connection and release the selected mailbox and the user. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.writer.close();
    this.detach(this.stream);
    this.stream.on('error', () => {});
    this.stream.end();
    // Destroy soon if the peer does not finish the close handshake.
    setTimeout(() => this.stream.destroy(), 2000).unref();
    this.poke();
    const sel = this.selected;
    this.selected = null;
    try {
      if (sel) await sel.mailbox.close();
      if (this.user) await this.user.close();
    } catch (err) {
      this.log('warn', 'error while closing', { err: String(err) });
    }
    this.resolveClosed();
  }
}
