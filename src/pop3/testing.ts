/* eslint-disable @typescript-eslint/require-await -- the interface is async (Promise-returning) even where this implementation needs no await */
/**
 * Test and example support: an in-memory maildrop handler (the smallest complete Pop3Handler, with APOP)
 * and a line-oriented POP3 client for transcripts. Not used by the server itself.
 */
import { createHash } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { ScramCredentials } from '../auth/types.ts';
import { normalizedSize } from './dot-stuff.ts';
import { Pop3ReportableError, type Pop3Handler, type Pop3Peer } from './handler.ts';

/** One in-memory account. */
export interface MemoryAccount {
  password: string;
  messages: { id: string; content: Buffer }[];
}

/** In-memory maildrops keyed by user name, with one lock per user. */
export class MemoryMaildrops {
  readonly accounts = new Map<string, MemoryAccount>();
  private readonly locks = new Set<string>();
  private nextId = 1;
  /** SCRAM-SHA-256 keys by user, served through the handlers' saslLookup. */
  readonly scram = new Map<string, ScramCredentials>();
  /** Errors passed to handleSessionError, for assertions. */
  readonly sessionErrors: unknown[] = [];

  /** Add an account (replacing one of the same name). */
  addUser(username: string, password: string): void {
    this.accounts.set(username, { password, messages: [] });
  }

  /** Append a message to a user's maildrop; returns its UIDL value. */
  deliver(username: string, content: Buffer | string): string {
    const account = this.accounts.get(username);
    if (!account) throw new Error(`no user ${username}`);
    const id = `m${this.nextId++}`;
    account.messages.push({ id, content: Buffer.isBuffer(content) ? content : Buffer.from(content) });
    return id;
  }

  /** True while some session holds the user's lock. */
  isLocked(username: string): boolean {
    return this.locks.has(username);
  }

  /** A fresh handler for one connection: pass as `onConnection`. */
  readonly onConnection = (_peer: Pop3Peer): Pop3Handler => this.handler();

  /** Build a handler; its snapshot is taken at lockMaildrop. */
  handler(): Pop3Handler {
    let user: string | null = null;
    let banner: string | null = null;
    let locked = false;
    let snapshot: { id: string; content: Buffer }[] = [];
    const message = (n: number): { id: string; content: Buffer } => {
      const m = snapshot[n - 1];
      if (!m) throw new Pop3ReportableError(`There's no message ${n}.`);
      return m;
    };
    return {
      authenticatePass: async (username, password) => {
        const account = this.accounts.get(username);
        if (!account || account.password !== password) throw new Pop3ReportableError('Authentication failed.', { code: 'AUTH' });
        user = username;
      },
      authenticateApop: async (username, digest) => {
        const account = this.accounts.get(username);
        const expected = createHash('md5').update(`${banner ?? ''}${account?.password ?? ''}`).digest('hex');
        if (!account || banner === null || digest !== expected) throw new Pop3ReportableError('Authentication failed.', { code: 'AUTH' });
        user = username;
      },
      authenticateSasl: async (identity) => {
        if (identity.authzid !== undefined && identity.authzid !== identity.username) throw new Pop3ReportableError('Not authorized.', { code: 'AUTH' });
        const account = this.accounts.get(identity.username);
        const ok = identity.kind === 'verified' ? account !== undefined : account?.password === identity.password;
        if (!ok) throw new Pop3ReportableError('Authentication failed.', { code: 'AUTH' });
        user = identity.username;
      },
      saslLookup: { scramSha256: async (username) => this.scram.get(username) ?? null },
      setBanner: async (value) => {
        banner = value;
      },
      lockMaildrop: async () => {
        if (user === null) throw new Error('lock before authentication');
        if (this.locks.has(user)) throw new Pop3ReportableError('Maildrop is locked by another session.', { code: 'IN-USE' });
        this.locks.add(user);
        locked = true;
        snapshot = [...this.accounts.get(user)!.messages];
      },
      unlockMaildrop: async () => {
        if (locked && user !== null) this.locks.delete(user);
        locked = false;
      },
      getMessageCount: async () => snapshot.length,
      getMessageSize: async (n) => normalizedSize(message(n).content),
      getMessageId: async (n) => message(n).id,
      getMessageReader: async (n) => Readable.from([message(n).content], { objectMode: false }),
      deleteMessages: async (numbers) => {
        const gone = new Set(numbers.map((n) => message(n).id));
        const account = this.accounts.get(user!)!;
        account.messages = account.messages.filter((m) => !gone.has(m.id));
      },
      handleSessionError: (err) => {
        this.sessionErrors.push(err);
      },
    };
  }
}

/** A line-oriented POP3 client for tests and transcripts. */
export class Pop3LineClient {
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private ended = false;

  private constructor(public socket: Socket | TLSSocket) {
    this.listen(socket);
  }

  /** Connect in plaintext. */
  static async connect(port: number, host = '127.0.0.1'): Promise<Pop3LineClient> {
    const socket = netConnect(port, host);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new Pop3LineClient(socket);
  }

  /** Connect with implicit TLS. */
  static async connectTls(port: number, options: ConnectionOptions): Promise<Pop3LineClient> {
    const socket = tlsConnect({ port, host: '127.0.0.1', ...options });
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    return new Pop3LineClient(socket);
  }

  private listen(socket: Socket | TLSSocket): void {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.notify();
    });
    socket.on('end', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('close', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('error', () => {});
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Send raw bytes. */
  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Send one command line (CRLF added). */
  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  /** Next CRLF-terminated line without its CRLF, or null at end of stream. */
  async readLine(): Promise<string | null> {
    for (;;) {
      const i = this.buffer.indexOf('\r\n');
      if (i !== -1) {
        const line = this.buffer.subarray(0, i).toString('latin1');
        this.buffer = this.buffer.subarray(i + 2);
        return line;
      }
      if (this.ended) return null;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Read the raw body of a multi-line answer (after its status line) up to and including ".CRLF". */
  async readMultilineRaw(): Promise<Buffer> {
    for (;;) {
      const end = this.buffer.indexOf('\r\n.\r\n');
      const atStart = this.buffer.subarray(0, 3).toString('latin1') === '.\r\n';
      if (atStart || end !== -1) {
        const len = atStart ? 3 : end + 5;
        const raw = this.buffer.subarray(0, len);
        this.buffer = this.buffer.subarray(len);
        return raw;
      }
      if (this.ended) throw new Error('connection closed inside a multi-line answer');
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Resolves when the server has closed the connection. */
  async closed(): Promise<void> {
    while (!this.ended) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Upgrade after a +OK to STLS. */
  async startTls(options: ConnectionOptions): Promise<void> {
    const raw = this.socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('end');
    raw.removeAllListeners('close');
    const secured = tlsConnect({ socket: raw, ...options });
    await new Promise<void>((resolve, reject) => secured.once('secureConnect', resolve).once('error', reject));
    this.socket = secured;
    this.buffer = Buffer.alloc(0);
    this.listen(secured);
  }

  /** Close from the client side. */
  destroy(): void {
    this.socket.destroy();
  }
}

/** A self-signed certificate for localhost (SAN DNS:localhost), generated once per process. */
let certificate: Promise<{ key: string; cert: string }> | null = null;

/** Test certificate and key (EC P-256, SAN DNS:localhost): pass as the server's `tls` option. */
export function testCertificate(): Promise<{ key: string; cert: string }> {
  certificate ??= import('selfsigned').then(async ({ generate }) => {
    const result = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      curve: 'P-256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }],
    });
    return { key: result.private, cert: result.cert };
  });
  return certificate;
}
