/**
 * Pop3Server: the public face of the POP3 library (popart's Server, DESIGN.md section 2). It owns listeners
 * and sessions; everything about the user's mail is behind the Pop3Handler returned by onConnection.
 */
import { hostname as osHostname } from 'node:os';
import { createServer, Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createSecureContext, Server as TlsServer, TLSSocket, type SecureContext, type SecureContextOptions } from 'node:tls';
import { defaultMechanisms } from '../auth/mechanisms.ts';
import type { SaslMechanismFactory } from '../auth/types.ts';
import type { Pop3AuthFailureEvent, Pop3CommandEvent, Pop3Handler, Pop3Peer } from './handler.ts';
import {
  DEFAULT_AUTH_FAILURE_DELAY_MS,
  DEFAULT_MAX_AUTH_FAILURES,
  DEFAULT_MAX_BAD_COMMANDS,
  DEFAULT_MAX_LINE_LENGTH,
  MIN_TIMEOUT_MS,
} from './limits.ts';
import { silentLogger, type Pop3Logger } from './logger.ts';
import { LoginDelayTracker } from './login-delay.ts';
import { Pop3Session, type Pop3SessionConfig } from './session.ts';

/** Options of a Pop3Server. */
export interface Pop3ServerOptions {
  /** Name in the APOP timestamp; defaults to os.hostname(). */
  hostname?: string;
  /** Returns the handler for a new connection, or null to refuse it (the client gets -ERR and is closed). */
  onConnection(peer: Pop3Peer): Pop3Handler | null | Promise<Pop3Handler | null>;
  /** Inactivity autologout in ms; at least 10 minutes (RFC 1939 section 3), which is also the default. */
  timeout?: number;
  /** CAPA IMPLEMENTATION value; default "Mailroom". */
  implementation?: string;
  /**
   * CAPA EXPIRE value (RFC 2449 section 6.7): "NEVER" (default) or a number of days. This is advice the
   * server gives; the site's expiry job is what enforces a number.
   */
  expire?: 'NEVER' | number;
  /** Offer APOP (greeting timestamp + authenticateApop); default false. */
  apop?: boolean;
  /** Certificate and key: enables STLS on plain listeners and makes listenTLS possible. */
  tls?: SecureContextOptions;
  /** Allow USER/PASS and plaintext SASL mechanisms without TLS on any connection; default false. */
  allowInsecureAuth?: boolean;
  /** Treat loopback connections as secure for plaintext authentication, as Dovecot does; default true. */
  loopbackIsSecure?: boolean;
  /** RFC 2449 LOGIN-DELAY in seconds: advertised and enforced per user and process when set. */
  loginDelay?: number;
  logger?: Pop3Logger;
  /** Longest accepted command or SASL response line, CRLF excluded. */
  maxLineLength?: number;
  /** Bad commands tolerated per connection before hanging up. */
  maxBadCommands?: number;
  /** Failed authentications tolerated per connection before hanging up. */
  maxAuthFailures?: number;
  /** Delay in ms before answering a failed authentication. */
  authFailureDelay?: number;
  /** Extra SASL mechanisms by name, added to PLAIN and LOGIN. */
  mechanisms?: Record<string, SaslMechanismFactory>;
  /**
   * Called after each command has been answered (metrics, auditing). Synchronous and on the session's
   * path: keep it cheap. A hook that throws is logged and otherwise ignored.
   */
  onCommand?(event: Pop3CommandEvent): void;
  /** Called when an authentication attempt is refused with [AUTH] (before the failure delay). Same rules. */
  onAuthFailure?(event: Pop3AuthFailureEvent): void;
}

/** A POP3 server: listen on ports, serve existing servers or single streams. */
export class Pop3Server {
  private readonly config: Pop3SessionConfig;
  private readonly mechanisms: Map<string, SaslMechanismFactory>;
  private tlsOptions: SecureContextOptions | undefined;
  /** Context for STLS handshakes; read by sessions at each STLS, so setSecureContext reaches new ones. */
  private secureContext: SecureContext | null;
  private readonly sessions = new Set<Pop3Session>();
  private readonly running = new Set<Promise<void>>();
  private readonly ownServers = new Set<NetServer>();
  /** Raw connections of our own listeners, so close() can drop those that never became a session. */
  private readonly ownSockets = new Set<Socket>();
  private readonly servedServers = new Map<NetServer, (socket: Socket) => void>();
  private closing = false;

  constructor(options: Pop3ServerOptions) {
    const timeout = options.timeout ?? MIN_TIMEOUT_MS;
    if (!(timeout >= MIN_TIMEOUT_MS)) throw new RangeError(`timeout must be at least ${MIN_TIMEOUT_MS} ms (RFC 1939 section 3)`);
    const expire = options.expire ?? 'NEVER';
    if (expire !== 'NEVER' && !(Number.isInteger(expire) && expire >= 0)) throw new RangeError('expire must be "NEVER" or a non-negative integer');
    const implementation = options.implementation ?? 'Mailroom';
    if (/[\r\n]/.test(implementation)) throw new RangeError('implementation must be one line');
    this.mechanisms = defaultMechanisms();
    for (const [name, factory] of Object.entries(options.mechanisms ?? {})) this.mechanisms.set(name.toUpperCase(), factory);
    this.tlsOptions = options.tls;
    this.secureContext = options.tls ? createSecureContext(options.tls) : null;
    this.config = {
      hostname: options.hostname ?? osHostname(),
      implementation,
      expire: String(expire),
      loginDelay: options.loginDelay === undefined ? null : new LoginDelayTracker(options.loginDelay),
      timeoutMs: timeout,
      maxLineLength: options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH,
      maxBadCommands: options.maxBadCommands ?? DEFAULT_MAX_BAD_COMMANDS,
      maxAuthFailures: options.maxAuthFailures ?? DEFAULT_MAX_AUTH_FAILURES,
      authFailureDelayMs: options.authFailureDelay ?? DEFAULT_AUTH_FAILURE_DELAY_MS,
      secureContext: () => this.secureContext,
      mechanisms: this.mechanisms,
      apop: options.apop ?? false,
      allowInsecureAuth: options.allowInsecureAuth ?? false,
      loopbackIsSecure: options.loopbackIsSecure ?? true,
      logger: options.logger ?? silentLogger,
      onConnection: (peer) => options.onConnection(peer),
      onCommand: options.onCommand ? (event) => options.onCommand!(event) : null,
      onAuthFailure: options.onAuthFailure ? (event) => options.onAuthFailure!(event) : null,
    };
  }

  /** Register (or replace) a SASL mechanism for AUTH, e.g. SCRAM-SHA-256. */
  enableAuth(name: string, factory: SaslMechanismFactory): void {
    this.mechanisms.set(name.toUpperCase(), factory);
  }

  /**
   * Replace the certificate and key (e.g. on SIGHUP) without dropping anything: later STLS handshakes and
   * new connections on implicit-TLS listeners (listenTLS, and tls.Servers given to serve()) use the new
   * material; established TLS sessions keep theirs. On a server built without `tls`, this turns STLS and
   * listenTLS on. Throws (and changes nothing) when the options do not make a valid context.
   */
  setSecureContext(options: SecureContextOptions): void {
    // Build first: a bad certificate must leave the current one in place everywhere.
    const context = createSecureContext(options);
    this.secureContext = context;
    this.tlsOptions = options;
    for (const server of [...this.ownServers, ...this.servedServers.keys()]) {
      if (server instanceof TlsServer) server.setSecureContext(options);
    }
  }

  /** Listen for plain POP3 (STLS offered when `tls` is set). Resolves with the bound address (port 0 works). */
  listen(port = 110, host = '127.0.0.1'): Promise<AddressInfo> {
    return this.start(createServer({ allowHalfOpen: true }), port, host);
  }

  /** Listen for POP3 over implicit TLS (POP3S, RFC 8314). Needs the `tls` option. */
  listenTLS(port = 995, host = '127.0.0.1'): Promise<AddressInfo> {
    if (!this.tlsOptions) throw new Error('listenTLS needs the tls option');
    const server = new TlsServer({ ...this.tlsOptions, allowHalfOpen: true });
    server.on('tlsClientError', (err) => this.config.logger.debug({ err: err.message }, 'pop3s handshake failed'));
    return this.start(server, port, host);
  }

  /** Serve connections of an existing server (net or tls), or one already connected stream. */
  serve(target: NetServer): void;
  serve(target: Duplex, peer?: Partial<Pop3Peer>): Promise<void>;
  serve(target: NetServer | Duplex, peer?: Partial<Pop3Peer>): void | Promise<void> {
    if (target instanceof NetServer) {
      const listener = (socket: Socket): void => this.accept(socket);
      this.servedServers.set(target, listener);
      target.on(target instanceof TlsServer ? 'secureConnection' : 'connection', listener);
      return;
    }
    return this.run(target, { secure: target instanceof TLSSocket, ...peer });
  }

  /** Sessions currently open. */
  get connectionCount(): number {
    return this.sessions.size;
  }

  /**
   * Stop accepting, let running commands finish, tell idle clients the server is going away, and resolve
   * once every session has ended and unlocked its maildrop. Nothing is deleted for sessions without QUIT.
   */
  async close(): Promise<void> {
    this.closing = true;
    const stopped = [...this.ownServers].map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    for (const [server, listener] of this.servedServers) {
      server.off('connection', listener);
      server.off('secureConnection', listener);
    }
    this.servedServers.clear();
    for (const session of this.sessions) session.shutdown();
    await Promise.all([...this.running]);
    // Every session has ended: what is left on our listeners is a TLS handshake that never completed (it
    // would hold server.close() until the handshake timeout) or a socket lingering after its session's end.
    for (const socket of this.ownSockets) socket.destroy();
    await Promise.all(stopped);
    this.ownServers.clear();
  }

  private start(server: NetServer, port: number, host: string): Promise<AddressInfo> {
    if (this.closing) return Promise.reject(new Error('server is closed'));
    server.on(server instanceof TlsServer ? 'secureConnection' : 'connection', (socket: Socket) => this.accept(socket));
    // For a tls.Server, 'connection' gives the raw socket before the handshake.
    server.on('connection', (socket: Socket) => {
      this.ownSockets.add(socket);
      socket.once('close', () => this.ownSockets.delete(socket));
    });
    this.ownServers.add(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        server.on('error', (err) => this.config.logger.error({ err }, 'pop3 listener error'));
        resolve(server.address() as AddressInfo);
      });
    });
  }

  private accept(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    // Responses are written in pieces (status line, body, terminator): without this, Nagle's algorithm holds
    // the last small write until the client's delayed ACK (~40 ms per RETR). The IMAP server does the same.
    socket.setNoDelay(true);
    const peer: Pop3Peer = {
      remoteAddress: socket.remoteAddress,
      remotePort: socket.remotePort,
      localAddress: socket.localAddress,
      localPort: socket.localPort,
      secure: socket instanceof TLSSocket,
    };
    void this.run(socket, peer);
  }

  private run(stream: Duplex, peer: Pop3Peer): Promise<void> {
    const session = new Pop3Session(stream, peer, this.config);
    this.sessions.add(session);
    if (this.closing) session.shutdown();
    const done = session.run().finally(() => {
      this.sessions.delete(session);
      this.running.delete(done);
    });
    this.running.add(done);
    return done;
  }
}
