/**
 * ImapServer: the public face of the IMAP library (DESIGN.md section 2; go-imap's server.Server).
 *
 *   const server = new ImapServer({ backend });
 *   const { port } = await server.listen(1143, '127.0.0.1');
 *   ...
 *   await server.close();
 */
import net from 'node:net';
import tls from 'node:tls';
import { Duplex, type Writable } from 'node:stream';
import { plainMechanism } from '../auth/sasl-plain.ts';
import type { SaslMechanismFactory } from '../auth/types.ts';
import type { Backend, Mailbox, User } from '../store/types.ts';
import { commandTable } from './commands/index.ts';
import { defaultExtensions } from './extensions/index.ts';
import { scramLookup } from './extensions/scram.ts';
import type { CommandSpec, SessionState } from './commands/types.ts';
import type { ConnectionUpgrader, ConnectionView, ImapLogger, SessionConfig } from './session/config.ts';
import { ImapSession } from './session/session.ts';
import { OutputWriter } from './session/writer.ts';

/** RFC 3501 section 5.4: an authenticated client may be idle at least 30 minutes (go-imap MinAutoLogout). */
export const MIN_AUTO_LOGOUT = 30 * 60 * 1000;
/** Idle limit before login: hostile ground, short (Dovecot's imap-login allows about 3 minutes). */
export const DEFAULT_PRE_AUTH_TIMEOUT = 3 * 60 * 1000;
/** Default largest APPEND literal: above the 50 MB messages the store must handle (DESIGN.md section 3). */
export const DEFAULT_MAX_LITERAL_SIZE = 64 * 1024 * 1024;
/** Delay before answering a failed login (Dovecot's auth_failure_delay): slows password guessing. */
export const DEFAULT_AUTH_FAILURE_DELAY = 2000;
/** How long close() waits for running commands before destroying connections. */
export const CLOSE_GRACE_MS = 5000;

/** An IMAP extension (go-imap's server.Extension): capabilities, commands, upgraders. */
export interface ImapExtension {
  readonly name: string;
  /** Capabilities this extension adds for a connection (e.g. only after TLS or login). */
  capabilities?(connection: ConnectionView): string[];
  /** Commands added, or replacing built-ins of the same name. */
  readonly commands?: readonly CommandSpec[];
  /** Stream upgraders by name (`compress` for COMPRESS=DEFLATE), used via CommandContext.upgradeAfterResponse. */
  readonly upgraders?: Readonly<Record<string, ConnectionUpgrader>>;
  /** Names ENABLE may turn on. */
  readonly enableable?: readonly string[];
  /** SASL mechanisms added (upper-case name -> factory), advertised as AUTH=NAME like enableAuth(). */
  readonly mechanisms?: Readonly<Record<string, SaslMechanismFactory>>;
  /**
   * Check that the backend offers what the extension needs (an optional store interface); throw an Error
   * naming what is missing. Called by ImapServer when the extension is enabled, so a missing store feature
   * fails at start-up rather than at a client (DESIGN.md section 3).
   */
  validate?(backend: Backend): void;
}

/** The server's own RFC 2971 ID parameters (field -> value, NIL when null). */
export type ImapIdParams = Readonly<Record<string, string | null>>;

/** ImapServer options (go-imap's Server fields). */
export interface ImapServerOptions {
  readonly backend: Backend;
  /** TLS material: enables STARTTLS and listenTLS(). */
  readonly tls?: tls.SecureContextOptions;
  /** Autologout of idle authenticated clients in ms: 0 = never, otherwise at least MIN_AUTO_LOGOUT. Default MIN_AUTO_LOGOUT. */
  readonly autoLogout?: number;
  /** Idle limit before authentication in ms (default DEFAULT_PRE_AUTH_TIMEOUT; 0 = never). */
  readonly preAuthTimeout?: number;
  /** Allow LOGIN / AUTHENTICATE PLAIN without TLS everywhere. Default false. */
  readonly allowInsecureAuth?: boolean;
  /** Treat loopback connections as secure for plaintext auth, as Dovecot does. Default true. */
  readonly loopbackIsSecure?: boolean;
  /** Mirror of all traffic (credentials redacted). */
  readonly debug?: Writable;
  /** pino-compatible logger; default: silent except errors to stderr. */
  readonly logger?: ImapLogger;
  /** Largest APPEND literal in bytes (default DEFAULT_MAX_LITERAL_SIZE). */
  readonly maxLiteralSize?: number;
  /** Delay before a failed authentication is answered, ms (default DEFAULT_AUTH_FAILURE_DELAY). */
  readonly authFailureDelay?: number;
  /** Greeting text after `* OK [CAPABILITY ...]`. */
  readonly greeting?: string;
  /**
   * Extensions to enable (IDLE, ENABLE, NAMESPACE ...). Default: defaultExtensions(options) from
   * `mailroom/imap`; `false` serves plain RFC 3501 (more can be added later with enable()).
   */
  readonly extensions?: readonly ImapExtension[] | false;
  /** The server's RFC 2971 ID answer (default `{ name: 'Mailroom' }`; null answers `* ID NIL`). */
  readonly id?: ImapIdParams | null;
  /**
   * Which RFC 7888 capability to advertise: 'LITERAL+' (default; any non-synchronizing literal) or
   * 'LITERAL-' (non-synchronizing literals up to 4096 bytes). Both forms are always parsed.
   */
  readonly literalPlus?: 'LITERAL+' | 'LITERAL-';
}

/** A live connection as ImapServer.connections() shows it (go-imap's Conn and Context). */
export interface ImapConnection {
  readonly id: string;
  readonly state: SessionState;
  readonly user: User | null;
  /** The selected mailbox, or null. */
  readonly mailbox: Mailbox | null;
  readonly readOnly: boolean;
  readonly secure: boolean;
  readonly remoteAddress: string;
  /** Capabilities in the connection's current state. */
  capabilities(): string[];
  /** Send `* BYE` and close. */
  close(reason?: string): Promise<void>;
}

const silentLogger: ImapLogger = {
  debug() {},
  info() {},
  warn() {},
  error(fields, message) {
    process.stderr.write(`mailroom imap: ${message} ${JSON.stringify(fields)}\n`);
  },
};

function starttlsUpgrader(context: tls.SecureContext): ConnectionUpgrader {
  return {
    secure: true,
    upgrade(stream) {
      const socket = new tls.TLSSocket(stream, { isServer: true, secureContext: context });
      return socket;
    },
  };
}

/** The IMAP server. */
export class ImapServer {
  private readonly commands = new Map<string, CommandSpec>();
  private readonly mechanisms = new Map<string, SaslMechanismFactory>();
  private readonly upgraders = new Map<string, ConnectionUpgrader>();
  private readonly extensions: ImapExtension[] = [];
  private readonly enableable = new Set<string>();
  private readonly sessions = new Set<ImapSession>();
  private readonly servers = new Set<net.Server>();
  private readonly secureContext: tls.SecureContext | null;
  private readonly config: SessionConfig;
  private closing = false;

  constructor(private readonly options: ImapServerOptions) {
    const autoLogout = options.autoLogout ?? MIN_AUTO_LOGOUT;
    if (autoLogout !== 0 && autoLogout < MIN_AUTO_LOGOUT) {
      throw new RangeError(`autoLogout must be 0 or at least ${MIN_AUTO_LOGOUT} ms (RFC 3501 section 5.4)`);
    }
    for (const spec of commandTable) this.commands.set(spec.name, spec);
    this.mechanisms.set('PLAIN', plainMechanism);
    this.secureContext = options.tls ? tls.createSecureContext(options.tls) : null;
    if (this.secureContext) this.upgraders.set('starttls', starttlsUpgrader(this.secureContext));
    const lookup = scramLookup(options.backend);
    this.config = {
      backend: options.backend,
      commands: this.commands,
      mechanisms: this.mechanisms,
      ...(lookup ? { credentialLookup: lookup } : {}),
      upgraders: this.upgraders,
      extensionCapabilities: (conn) => this.extensions.flatMap((e) => e.capabilities?.(conn) ?? []),
      enableable: this.enableable,
      starttls: this.secureContext !== null,
      allowInsecureAuth: options.allowInsecureAuth ?? false,
      loopbackIsSecure: options.loopbackIsSecure ?? true,
      autoLogout,
      preAuthTimeout: options.preAuthTimeout ?? DEFAULT_PRE_AUTH_TIMEOUT,
      maxLiteralSize: options.maxLiteralSize ?? DEFAULT_MAX_LITERAL_SIZE,
      authFailureDelay: options.authFailureDelay ?? DEFAULT_AUTH_FAILURE_DELAY,
      greeting: options.greeting ?? 'Mailroom ready.',
      literalMinus: options.literalPlus === 'LITERAL-',
      ...(options.debug ? { debug: options.debug } : {}),
      logger: options.logger ?? silentLogger,
    };
    const extensions = options.extensions === undefined ? defaultExtensions(options) : options.extensions || [];
    this.enable(...extensions);
  }

  /**
   * Add extensions (go-imap's Enable): their capabilities, commands (replacing same-named ones), upgraders,
   * SASL mechanisms and ENABLE-able names. Throws when an extension's validate() rejects the backend.
   */
  enable(...extensions: ImapExtension[]): void {
    for (const ext of extensions) ext.validate?.(this.options.backend);
    for (const ext of extensions) {
      // Enabling the same extension object twice (defaults plus an explicit list) changes nothing.
      if (this.extensions.includes(ext)) continue;
      this.extensions.push(ext);
      for (const [name, factory] of Object.entries(ext.mechanisms ?? {})) this.mechanisms.set(name.toUpperCase(), factory);
      for (const spec of ext.commands ?? []) this.commands.set(spec.name, spec);
      for (const [name, up] of Object.entries(ext.upgraders ?? {})) this.upgraders.set(name, up);
      for (const name of ext.enableable ?? []) this.enableable.add(name.toUpperCase());
    }
  }

  /** Register a SASL mechanism (go-imap's EnableAuth); advertised as AUTH=NAME. */
  enableAuth(name: string, factory: SaslMechanismFactory): void {
    this.mechanisms.set(name.toUpperCase(), factory);
  }

  /** The command spec for a name ("FETCH", "UID FETCH"), to wrap or inspect it. */
  command(name: string): CommandSpec | undefined {
    return this.commands.get(name.toUpperCase());
  }

  /** The extensions enabled so far, in order. */
  enabledExtensions(): readonly ImapExtension[] {
    return [...this.extensions];
  }

  /** Live connections (go-imap's ForEachConn). */
  connections(): ImapConnection[] {
    return [...this.sessions].map((s) => connectionOf(s));
  }

  /** Listen for plaintext (STARTTLS-capable) connections. Resolves with the bound address. */
  listen(port = 143, host = '127.0.0.1'): Promise<net.AddressInfo> {
    return this.startListening(net.createServer(), port, host);
  }

  /** Listen for implicit-TLS connections (IMAPS, RFC 8314). */
  listenTLS(port = 993, host = '127.0.0.1'): Promise<net.AddressInfo> {
    if (!this.options.tls) return Promise.reject(new Error('listenTLS needs the tls option'));
    return this.startListening(tls.createServer({ ...this.options.tls }), port, host);
  }

  private startListening(srv: net.Server, port: number, host: string): Promise<net.AddressInfo> {
    this.serve(srv);
    return new Promise((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, host, () => {
        srv.off('error', reject);
        resolve(srv.address() as net.AddressInfo);
      });
    });
  }

  /** Serve a net.Server / tls.Server (connections are accepted as they come) or one already-connected Duplex. */
  serve(target: net.Server | Duplex): void {
    if (target instanceof net.Server) {
      this.servers.add(target);
      const secure = target instanceof tls.Server;
      target.on(secure ? 'secureConnection' : 'connection', (socket: net.Socket) => {
        this.accept(socket, secure, socket.remoteAddress);
      });
      target.on('error', (err) => this.config.logger.error({ err: err.message }, 'listener error'));
      return;
    }
    const addr = target instanceof net.Socket ? target.remoteAddress : undefined;
    this.accept(target, target instanceof tls.TLSSocket, addr);
  }

  private accept(stream: Duplex, secure: boolean, remoteAddress: string | undefined): void {
    if (this.closing) {
      stream.destroy();
      return;
    }
    if (stream instanceof net.Socket) stream.setNoDelay(true);
    const writer = new OutputWriter(stream, this.options.debug);
    const session = new ImapSession(stream, this.config, { secure, writer, ...(remoteAddress ? { remoteAddress } : {}) });
    this.sessions.add(session);
    void session.closedSignal.then(() => this.sessions.delete(session));
    session.start();
  }

  /** Stop listening, send BYE to every session (after its running command), wait for them to close. */
  async close(): Promise<void> {
    this.closing = true;
    // net.Server.close() only calls back once every connection is gone, so stop accepting first and
    // wait for it after the sessions have been told BYE.
    const stopped = [...this.servers].map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    this.servers.clear();
    const sessions = [...this.sessions];
    await Promise.all(sessions.map((s) => s.shutdown()));
    await Promise.race([
      Promise.all(sessions.map((s) => s.closedSignal)),
      new Promise((r) => setTimeout(r, CLOSE_GRACE_MS).unref()),
    ]);
    for (const s of sessions) s.destroy();
    await Promise.all(stopped);
  }
}

function connectionOf(s: ImapSession): ImapConnection {
  return {
    id: s.id,
    get state() {
      return s.state;
    },
    get user() {
      return s.user;
    },
    get mailbox() {
      return s.selected?.mailbox ?? null;
    },
    get readOnly() {
      return s.selected?.readOnly ?? false;
    },
    get secure() {
      return s.connection.secure;
    },
    remoteAddress: s.connection.remoteAddress,
    capabilities: () => s.capabilities(),
    close: (reason = 'Connection closed by server.') => s.bye(reason),
  };
}
