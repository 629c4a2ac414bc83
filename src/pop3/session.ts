/**
 * One POP3 connection: reads lines, runs commands from the table strictly in order (PIPELINING, RFC 2449
 * section 6.6), keeps the AUTHORIZATION / TRANSACTION / UPDATE state (RFC 1939 section 3), and funnels every
 * error to one place. POP3 message numbers live here (via Maildrop) and nowhere else.
 */
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { TLSSocket, type SecureContext } from 'node:tls';
import { mechanismAllowedWithoutTls } from '../auth/mechanisms.ts';
import type { SaslIdentity, SaslMechanismFactory, SaslStep } from '../auth/types.ts';
import { POP3_COMMANDS } from './commands/index.ts';
import type { Pop3CommandContext, Pop3State } from './commands/types.ts';
import { DotStuffer } from './dot-stuff.ts';
import {
  Pop3ReportableError,
  type Pop3AuthFailureEvent,
  type Pop3CommandEvent,
  type Pop3Handler,
  type Pop3Peer,
  type Pop3ResponseCode,
} from './handler.ts';
import { LineReceiver, type ReceivedLine } from './line-receiver.ts';
import { MAX_QUEUED_LINES } from './limits.ts';
import type { Pop3Logger } from './logger.ts';
import type { LoginDelayTracker } from './login-delay.ts';
import { Maildrop } from './maildrop.ts';

/** Settings shared by all sessions of one server. */
export interface Pop3SessionConfig {
  readonly hostname: string;
  readonly implementation: string;
  readonly expire: string;
  readonly loginDelay: LoginDelayTracker | null;
  readonly timeoutMs: number;
  readonly maxLineLength: number;
  readonly maxBadCommands: number;
  readonly maxAuthFailures: number;
  readonly authFailureDelayMs: number;
  /** The current STLS context (null: no STLS); asked at each STLS so a replaced certificate applies. */
  readonly secureContext: () => SecureContext | null;
  readonly mechanisms: ReadonlyMap<string, SaslMechanismFactory>;
  readonly apop: boolean;
  readonly allowInsecureAuth: boolean;
  readonly loopbackIsSecure: boolean;
  readonly logger: Pop3Logger;
  readonly onConnection: (peer: Pop3Peer) => Pop3Handler | null | Promise<Pop3Handler | null>;
  readonly onCommand: ((event: Pop3CommandEvent) => void) | null;
  readonly onAuthFailure: ((event: Pop3AuthFailureEvent) => void) | null;
}

/** Command name reported to onCommand for a line that names no command. */
const UNKNOWN_COMMAND = 'UNKNOWN';

/** Thrown inside the session when the peer is gone: ends the session quietly. */
class ConnectionClosed extends Error {
  override readonly name = 'ConnectionClosed';
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** RFC 5034 section 4: reject any character outside the alphabet and misplaced padding. */
function decodeBase64(text: string): Buffer | null {
  return STRICT_BASE64.test(text) ? Buffer.from(text, 'base64') : null;
}

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

/** Keep a reportable message on one line and printable. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\0]+/g, ' ').trim();
}

let nextSessionId = 1;

/** A running POP3 session over one duplex stream. */
export class Pop3Session implements Pop3CommandContext {
  state: Pop3State = 'authorization';
  pendingUser: string | null = null;
  maildrop: Maildrop | null = null;
  apopTimestamp: string | null = null;
  /** Log and trace identifier. */
  readonly id = nextSessionId++;

  private socket: Duplex;
  private secure: boolean;
  /** The peer as the handler sees it: `secure` follows this session (true after STLS). */
  private readonly peerView: Pop3Peer;
  /** Whether the last status line sent was +OK (null: none yet for the current command). */
  private lastStatusOk: boolean | null = null;
  /** Name of the command being dispatched (for auth-failure events). */
  private currentCommand = '';
  /** SASL mechanism of the running AUTH exchange, if any. */
  private saslMechanism: string | null = null;
  private currentHandler: Pop3Handler | null = null;
  private readonly receiver: LineReceiver;
  private readonly queue: ReceivedLine[] = [];
  private waiter: (() => void) | null = null;
  private paused = false;
  private inputEnded = false;
  private closed = false;
  private finished = false;
  private stopping: 'shutdown' | 'timeout' | null = null;
  private busy = false;
  private midResponse = false;
  private unlocked = false;
  private badCommands = 0;
  private authFailures = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly log: Pop3Logger;

  constructor(
    socket: Duplex,
    private readonly peer: Pop3Peer,
    private readonly config: Pop3SessionConfig,
  ) {
    this.socket = socket;
    this.secure = peer.secure;
    this.peerView = Object.defineProperty({ ...peer }, 'secure', { enumerable: true, get: () => this.secure });
    this.receiver = new LineReceiver(config.maxLineLength);
    this.log = config.logger;
    this.attach(socket);
  }

  /** The connection's handler (set before the first command runs). */
  get handler(): Pop3Handler {
    if (!this.currentHandler) throw new Error('no handler');
    return this.currentHandler;
  }

  get plaintextAllowed(): boolean {
    return this.secure || this.config.allowInsecureAuth || (this.config.loopbackIsSecure && isLoopbackAddress(this.peer.remoteAddress));
  }

  get tlsAvailable(): boolean {
    return this.config.secureContext() !== null && !this.secure && this.state === 'authorization';
  }

  /** Run the whole session; resolves when the connection is finished and the maildrop unlocked. */
  async run(): Promise<void> {
    this.armTimer();
    try {
      let handler: Pop3Handler | null;
      try {
        handler = await this.config.onConnection(this.peerView);
      } catch (err) {
        this.reportError(err);
        handler = null;
      }
      if (!handler) {
        await this.writeLine('-ERR [SYS/TEMP] Connection refused.');
        return;
      }
      this.currentHandler = handler;
      let greeting = '+OK POP3 server ready.';
      if (this.config.apop && handler.authenticateApop) {
        // RFC 1939 section 7: the timestamp must differ for every greeting.
        const timestamp = `<${process.pid}.${Date.now()}.${randomBytes(8).toString('hex')}@${this.config.hostname}>`;
        await handler.setBanner(timestamp);
        this.apopTimestamp = timestamp;
        greeting = `+OK POP3 server ready ${timestamp}`;
      }
      await this.writeLine(greeting);
      while (!this.finished) {
        const event = await this.nextLine();
        if (event === null) break;
        this.busy = true;
        await this.dispatch(event);
        this.busy = false;
      }
      if (!this.finished && !this.closed && this.stopping !== null) {
        await this.writeLine(this.stopping === 'timeout' ? '-ERR Disconnected for inactivity.' : '-ERR [SYS/TEMP] Server shutting down.');
      }
    } catch (err) {
      if (!(err instanceof ConnectionClosed)) this.reportError(err);
    } finally {
      this.clearTimer();
      await this.unlockOnce();
      this.finish();
    }
  }

  /** Server shutdown: stop after the running command (or now, if idle). */
  shutdown(): void {
    this.stopping ??= 'shutdown';
    this.wake();
  }

  // ---- input ----

  private readonly onData = (chunk: Buffer): void => {
    this.armTimer();
    for (const event of this.receiver.push(chunk)) this.queue.push(event);
    if (this.queue.length >= MAX_QUEUED_LINES && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    this.wake();
  };

  private readonly onEnd = (): void => {
    this.inputEnded = true;
    this.wake();
  };

  private readonly onClose = (): void => {
    this.closed = true;
    this.wake();
  };

  private readonly onError = (err: Error): void => {
    this.log.debug({ session: this.id, err: err.message }, 'pop3 socket error');
    this.closed = true;
    this.wake();
  };

  private attach(socket: Duplex): void {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
    socket.on('drain', this.onDrain);
  }

  private detach(socket: Duplex): void {
    socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('close', this.onClose);
    socket.off('error', this.onError);
    socket.off('drain', this.onDrain);
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }

  /** Next received line, or null when the session must stop reading commands. */
  private async nextLine(): Promise<ReceivedLine | null> {
    for (;;) {
      if (this.closed || this.stopping !== null) return null;
      const event = this.queue.shift();
      if (event) {
        if (this.paused && this.queue.length < MAX_QUEUED_LINES / 2) {
          this.paused = false;
          this.socket.resume();
        }
        return event;
      }
      if (this.inputEnded) return null;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  // ---- output ----

  private readonly onDrain = (): void => {
    this.armTimer();
  };

  private async write(data: string | Buffer): Promise<void> {
    if (this.closed || this.socket.destroyed || this.socket.writableEnded) throw new ConnectionClosed();
    if (!this.socket.write(data)) {
      const socket = this.socket;
      // A corked socket (sendMessage) never drains: let the buffered bytes go before waiting.
      while (socket.writableCorked > 0) socket.uncork();
      await new Promise<void>((resolve) => {
        const done = (): void => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
      if (this.closed || socket.destroyed) throw new ConnectionClosed();
    }
  }

  private async writeLine(line: string): Promise<void> {
    this.log.debug({ session: this.id, line }, 'S:');
    if (line.startsWith('+OK')) this.lastStatusOk = true;
    else if (line.startsWith('-ERR')) this.lastStatusOk = false;
    await this.write(`${line}\r\n`);
  }

  async ok(text: string): Promise<void> {
    await this.writeLine(text === '' ? '+OK' : `+OK ${text}`);
  }

  async err(text: string, code?: Pop3ResponseCode): Promise<void> {
    const body = oneLine(text);
    await this.writeLine(`-ERR${code ? ` [${code}]` : ''}${body ? ` ${body}` : ''}`);
  }

  async multiline(first: string, lines: Iterable<string>): Promise<void> {
    const parts = [first === '' ? '+OK\r\n' : `+OK ${first}\r\n`];
    for (const line of lines) parts.push(line.startsWith('.') ? `.${line}\r\n` : `${line}\r\n`);
    parts.push('.\r\n');
    this.log.debug({ session: this.id, line: parts[0].trimEnd(), lines: parts.length - 2 }, 'S:');
    this.lastStatusOk = true;
    await this.write(parts.join(''));
  }

  async sendMessage(number: number, first: string, bodyLines?: number): Promise<void> {
    const reader = await this.handler.getMessageReader(number);
    // Status line, body and terminator leave in one send instead of three (write() uncorks on backpressure).
    const socket = this.socket;
    socket.cork();
    try {
      await this.ok(first);
      // From here on an -ERR can no longer be sent: a failure must drop the connection.
      this.midResponse = true;
      const encoder = new DotStuffer(bodyLines === undefined ? {} : { bodyLines });
      for await (const chunk of reader) {
        const out = encoder.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
        if (out.length > 0) await this.write(out);
        if (encoder.done) break;
      }
      await this.write(encoder.end());
      this.midResponse = false;
    } finally {
      while (socket.writableCorked > 0) socket.uncork();
      reader.destroy();
    }
  }

  // ---- dispatch ----

  /** Run one command line and report it to onCommand once answered (not when the connection dropped). */
  private async dispatch(event: ReceivedLine): Promise<void> {
    const started = performance.now();
    this.lastStatusOk = null;
    const command = await this.runLine(event);
    const hook = this.config.onCommand;
    if (hook === null || this.lastStatusOk === null) return;
    try {
      hook({ command, ok: this.lastStatusOk, durationMs: performance.now() - started, connectionId: String(this.id) });
    } catch (err) {
      this.log.error({ session: this.id, err }, 'pop3 onCommand hook threw');
    }
  }

  /** Parse and run one line; returns the command name for onCommand. */
  private async runLine(event: ReceivedLine): Promise<string> {
    this.currentCommand = UNKNOWN_COMMAND;
    if (event.kind === 'tooLong') {
      this.log.debug({ session: this.id }, 'C: <line too long>');
      await this.badCommand('Line too long.');
      return UNKNOWN_COMMAND;
    }
    const text = event.text.toString('utf8');
    const space = text.indexOf(' ');
    const keyword = (space === -1 ? text : text.slice(0, space)).toUpperCase();
    const rest = space === -1 ? '' : text.slice(space + 1);
    const spec = POP3_COMMANDS.get(keyword);
    this.log.debug({ session: this.id, line: spec?.redact ? `${keyword} <redacted>` : text }, 'C:');
    if (!spec) {
      await this.badCommand('Unknown command.');
      return UNKNOWN_COMMAND;
    }
    this.currentCommand = spec.name;
    if (!spec.states.includes(this.state)) {
      await this.badCommand(this.state === 'authorization' ? 'Unknown command (not logged in).' : 'Command not valid in this state.');
      return spec.name;
    }
    let args: string[];
    if (spec.args.kind === 'rest') {
      if (rest === '' && !spec.args.optional) {
        await this.badCommand(`${keyword} needs an argument.`);
        return spec.name;
      }
      args = rest === '' ? [] : [rest];
    } else {
      args = rest.split(' ').filter((word) => word !== '');
      if (args.length < spec.args.min || args.length > spec.args.max) {
        await this.badCommand(`Invalid arguments for ${keyword}.`);
        return spec.name;
      }
    }
    try {
      await spec.run(this, args);
    } catch (err) {
      await this.fail(err);
    }
    return spec.name;
  }

  /** The error funnel for command failures. */
  private async fail(err: unknown): Promise<void> {
    if (err instanceof ConnectionClosed) throw err;
    if (this.midResponse) {
      // Part of a multi-line answer is out: the only honest signal left is closing the connection.
      this.reportError(err);
      throw new ConnectionClosed();
    }
    if (err instanceof Pop3ReportableError) {
      await this.err(err.message, err.code);
      return;
    }
    this.reportError(err);
    await this.err('Internal server error.', 'SYS/TEMP');
  }

  private reportError(err: unknown): void {
    this.log.error({ session: this.id, err }, 'pop3 session error');
    try {
      this.currentHandler?.handleSessionError(err);
    } catch (inner) {
      this.log.error({ session: this.id, err: inner }, 'pop3 handleSessionError threw');
    }
  }

  async badCommand(text: string): Promise<void> {
    this.badCommands++;
    if (this.badCommands > this.config.maxBadCommands) {
      await this.err('Too many bad commands.');
      this.finished = true;
      return;
    }
    await this.err(text);
  }

  // ---- capabilities and authentication ----

  mechanisms(): string[] {
    return [...this.config.mechanisms.keys()].filter((name) => this.mechanismUsable(name));
  }

  /** A mechanism is offered when TLS policy allows it and, for SCRAM, the handler can look up keys. */
  private mechanismUsable(name: string): boolean {
    if (!this.plaintextAllowed && !mechanismAllowedWithoutTls(name)) return false;
    if (name === 'SCRAM-SHA-256' && !this.handler.saslLookup?.scramSha256) return false;
    return true;
  }

  capabilities(): string[] {
    const auth = this.state === 'authorization';
    const caps = ['TOP'];
    if (auth && this.plaintextAllowed) caps.push('USER');
    const mechanisms = auth ? this.mechanisms() : [];
    if (mechanisms.length > 0) caps.push(`SASL ${mechanisms.join(' ')}`);
    caps.push('RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'UIDL', `EXPIRE ${this.config.expire}`);
    if (this.config.loginDelay) caps.push(`LOGIN-DELAY ${this.config.loginDelay.delaySeconds}`);
    caps.push(`IMPLEMENTATION ${this.config.implementation}`);
    if (auth && this.tlsAvailable) caps.push('STLS');
    return caps;
  }

  async login(username: string, attempt: () => Promise<void>): Promise<void> {
    try {
      await attempt();
    } catch (err) {
      await this.authFailed(err, username);
      return;
    }
    const tracker = this.config.loginDelay;
    if (tracker && !tracker.allows(username)) {
      await this.err(`Minimum time between logins is ${tracker.delaySeconds} seconds.`, 'LOGIN-DELAY');
      return;
    }
    try {
      await this.handler.lockMaildrop();
    } catch (err) {
      if (!(err instanceof Pop3ReportableError)) this.reportError(err);
      await this.err(err instanceof Pop3ReportableError ? err.message : 'Unable to lock maildrop.', 'IN-USE');
      return;
    }
    let drop: Maildrop;
    try {
      const count = await this.handler.getMessageCount();
      const sizes: number[] = [];
      for (let n = 1; n <= count; n++) sizes.push(await this.handler.getMessageSize(n));
      drop = new Maildrop(sizes);
    } catch (err) {
      // The maildrop is locked but unreadable: report, and end the session (unlock runs in run()).
      await this.fail(err);
      this.finished = true;
      return;
    }
    tracker?.record(username);
    this.maildrop = drop;
    this.state = 'transaction';
    this.pendingUser = null;
    const { count, octets } = drop.stat();
    this.log.info({ session: this.id, user: username, remote: this.peer.remoteAddress }, 'pop3 login');
    await this.ok(`Logged in, maildrop has ${count} messages (${octets} octets).`);
  }

  /** Refuse a login; `username` is null when a SASL exchange failed before naming a user. */
  private async authFailed(err: unknown, username: string | null): Promise<void> {
    let code: Pop3ResponseCode = 'AUTH';
    let text = 'Authentication failed.';
    if (err instanceof Pop3ReportableError) {
      code = err.code ?? 'AUTH';
      text = err.message;
    } else {
      this.reportError(err);
      code = 'SYS/TEMP';
      text = 'Temporary authentication failure.';
    }
    if (code === 'AUTH') {
      this.authFailures++;
      this.reportAuthFailure(username);
      if (this.config.authFailureDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.config.authFailureDelayMs));
    }
    await this.err(text, code);
    if (this.authFailures >= this.config.maxAuthFailures) this.finished = true;
  }

  private reportAuthFailure(username: string | null): void {
    const hook = this.config.onAuthFailure;
    if (hook === null) return;
    const command = this.currentCommand === 'APOP' || this.currentCommand === 'AUTH' ? this.currentCommand : 'PASS';
    try {
      hook({
        connectionId: String(this.id),
        command,
        mechanism: command === 'AUTH' ? this.saslMechanism : null,
        username,
        remoteAddress: this.peer.remoteAddress ?? null,
        secure: this.secure,
      });
    } catch (err) {
      this.log.error({ session: this.id, err }, 'pop3 onAuthFailure hook threw');
    }
  }

  async authenticate(mechanism: string, initialResponse: string | undefined): Promise<void> {
    this.saslMechanism = mechanism;
    try {
      await this.saslExchange(mechanism, initialResponse);
    } finally {
      this.saslMechanism = null;
    }
  }

  private async saslExchange(mechanism: string, initialResponse: string | undefined): Promise<void> {
    const factory = this.config.mechanisms.get(mechanism);
    if (!factory) {
      await this.badCommand('Unsupported authentication mechanism.');
      return;
    }
    if (!this.plaintextAllowed && !mechanismAllowedWithoutTls(mechanism)) {
      await this.err('Plaintext authentication disallowed on non-secure (SSL/TLS) connections.', 'AUTH');
      return;
    }
    if (!this.mechanismUsable(mechanism)) {
      await this.badCommand('Unsupported authentication mechanism.');
      return;
    }
    let response: Buffer | null = null;
    if (initialResponse !== undefined) {
      response = initialResponse === '=' ? Buffer.alloc(0) : decodeBase64(initialResponse);
      if (response === null) {
        await this.badCommand('Invalid base64 data in initial response.');
        return;
      }
    }
    const server = factory({ secure: this.secure, lookup: this.handler.saslLookup });
    let identity: SaslIdentity;
    for (;;) {
      let step: SaslStep;
      try {
        step = await server.step(response);
      } catch (err) {
        this.reportError(err);
        step = { type: 'failure', reason: 'mechanism error' };
      }
      if (step.type === 'failure') {
        await this.authFailed(new Pop3ReportableError('Authentication failed.', { code: 'AUTH' }), null);
        return;
      }
      if (step.type === 'success') {
        identity = step.identity;
        // RFC 5034 section 4: no data may ride on +OK, so final server data goes out as a challenge that the
        // client answers with an empty response (RFC 4422 section 3.6).
        if (step.data && step.data.length > 0) {
          const reply = await this.saslResponse(step.data);
          if (reply === null) return;
          if (reply.length > 0) {
            await this.authFailed(new Pop3ReportableError('Authentication failed.', { code: 'AUTH' }), identity.username);
            return;
          }
        }
        break;
      }
      response = await this.saslResponse(step.data);
      if (response === null) return;
    }
    await this.login(identity.username, () => this.checkSaslIdentity(identity));
  }

  /** Send a challenge and read the client's answer; null when the exchange ended (reply already sent). */
  private async saslResponse(challenge: Buffer): Promise<Buffer | null> {
    await this.writeLine(`+ ${challenge.toString('base64')}`);
    const event = await this.nextLine();
    if (event === null) throw new ConnectionClosed();
    this.log.debug({ session: this.id }, 'C: <sasl response redacted>');
    if (event.kind === 'tooLong') {
      await this.err('Authentication response too long.');
      return null;
    }
    const text = event.text.toString('latin1');
    if (text === '*') {
      await this.err('Authentication aborted by client.');
      return null;
    }
    const decoded = decodeBase64(text);
    if (decoded === null) {
      await this.err('Invalid base64 data in continued response.');
      return null;
    }
    return decoded;
  }

  private async checkSaslIdentity(identity: SaslIdentity): Promise<void> {
    const handler = this.handler;
    if (handler.authenticateSasl) {
      await handler.authenticateSasl(identity);
      return;
    }
    if (identity.kind !== 'password') throw new Pop3ReportableError('Authentication failed.', { code: 'AUTH' });
    // Proxy authorization needs the handler's say; without authenticateSasl only "as myself" is allowed.
    if (identity.authzid !== undefined && identity.authzid !== identity.username) {
      throw new Pop3ReportableError('Authorization identity not permitted.', { code: 'AUTH' });
    }
    await handler.authenticatePass(identity.username, identity.password);
  }

  // ---- STLS ----

  async startTls(): Promise<void> {
    const context = this.config.secureContext();
    if (!context) throw new Error('STLS without a TLS context');
    const raw = this.socket;
    // Write +OK and switch synchronously: no event may run between the reply and the wrap, or the client's
    // ClientHello could reach the plaintext line reader.
    this.log.debug({ session: this.id, line: '+OK Begin TLS negotiation now.' }, 'S:');
    this.lastStatusOk = true;
    raw.write('+OK Begin TLS negotiation now.\r\n');
    // RFC 2595 section 4 / DESIGN.md section 4: anything pipelined after STLS was sent in plaintext and
    // must not be executed inside the TLS session.
    this.queue.length = 0;
    this.receiver.discard();
    this.detach(raw);
    if (this.paused) {
      this.paused = false;
      raw.resume();
    }
    raw.on('error', () => {}); // errors surface on the TLS socket
    const secured = new TLSSocket(raw, { isServer: true, secureContext: context });
    this.socket = secured;
    // The handshake ends with 'secure', or fails with an error, a close, or the peer's EOF: servers run with
    // allowHalfOpen, so a client that hangs up mid-handshake may only show up as 'end' (on either socket).
    const ok = await new Promise<boolean>((resolve) => {
      const done = (result: boolean) => (): void => {
        secured.off('secure', onSecure);
        for (const socket of [secured, raw]) {
          socket.off('error', onFail);
          socket.off('close', onFail);
          socket.off('end', onFail);
        }
        resolve(result);
      };
      const onSecure = done(true);
      const onFail = done(false);
      secured.once('secure', onSecure);
      for (const socket of [secured, raw]) {
        socket.once('error', onFail);
        socket.once('close', onFail);
        socket.once('end', onFail);
      }
    });
    if (!ok) {
      this.closed = true;
      secured.destroy();
      raw.destroy();
      throw new ConnectionClosed();
    }
    this.attach(secured);
    // The peer may have closed in the same turn as the handshake ended, before the listeners above were
    // attached: without this check the session would wait for a line that never comes.
    if (secured.destroyed) this.closed = true;
    else if (secured.readableEnded) this.inputEnded = true;
    this.secure = true;
    // RFC 2595 section 4: discard knowledge obtained before the handshake.
    this.pendingUser = null;
    this.armTimer();
  }

  // ---- QUIT and teardown ----

  async quit(): Promise<void> {
    this.finished = true;
    if (this.state !== 'transaction') {
      await this.ok('Logging out.');
      return;
    }
    // UPDATE state (RFC 1939 section 6): remove the marked messages, all or nothing.
    const numbers = this.maildrop!.deletedNumbers();
    if (numbers.length > 0 || this.handler.enterUpdate) {
      try {
        await this.handler.enterUpdate?.(numbers);
        if (numbers.length > 0) await this.handler.deleteMessages(numbers);
      } catch (err) {
        if (!(err instanceof Pop3ReportableError)) this.reportError(err);
        await this.unlockOnce();
        // RFC 1939 section 6: -ERR when removal failed; nothing was removed (the handler's all-or-nothing).
        if (err instanceof Pop3ReportableError) await this.err(err.message, err.code ?? 'SYS/TEMP');
        else await this.err('Some deleted messages not removed.', 'SYS/TEMP');
        return;
      }
    }
    // Unlock before the final +OK so a client reconnecting right away does not meet [IN-USE].
    await this.unlockOnce();
    await this.ok(numbers.length > 0 ? `Logging out, ${numbers.length} messages deleted.` : 'Logging out.');
  }

  private async unlockOnce(): Promise<void> {
    if (this.unlocked || !this.currentHandler) return;
    this.unlocked = true;
    try {
      await this.currentHandler.unlockMaildrop();
    } catch (err) {
      this.reportError(err);
    }
  }

  private armTimer(): void {
    if (this.timer) {
      this.timer.refresh();
      return;
    }
    this.timer = setTimeout(() => this.onTimeout(), this.config.timeoutMs);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private onTimeout(): void {
    // RFC 1939 section 3: an expired autologout timer closes without entering UPDATE.
    this.log.info({ session: this.id }, 'pop3 autologout');
    if (this.busy) {
      this.socket.destroy();
      return;
    }
    this.stopping = 'timeout';
    this.wake();
  }

  private finish(): void {
    const socket = this.socket;
    this.detach(socket);
    socket.on('error', () => {});
    if (socket.destroyed) return;
    socket.end();
    // A client that never closes its side must not pin the socket forever.
    setTimeout(() => socket.destroy(), 5000).unref();
  }
}
