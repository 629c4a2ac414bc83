/**
 * Test helpers for the IMAP e2e tests and the transcript runner: a real ImapServer on 127.0.0.1:0 over
 * the memory store, a line-oriented raw client, and an imapflow client for it.
 */
import net from 'node:net';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { ImapServer, type ImapServerOptions } from '../../src/imap/index.ts';
import { createMemoryBackend, type MemoryBackend } from '../../src/store/memory/index.ts';

/** A running server and what tests need to reach it. */
export interface TestServer {
  readonly server: ImapServer;
  readonly backend: MemoryBackend;
  readonly port: number;
  close(): Promise<void>;
}

/** Start a server with user alice/password (no auth failure delay unless asked). */
export async function startServer(options: Partial<ImapServerOptions> = {}): Promise<TestServer> {
  const backend = createMemoryBackend({ users: { alice: 'password', bob: 'secret' } });
  const server = new ImapServer({ authFailureDelay: 0, ...options, backend });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    server,
    backend,
    port,
    async close() {
      await server.close();
      await backend.close();
    },
  };
}

/** An imapflow client logging in as alice on 127.0.0.1:`port` over plain TCP, silent; `options` add or override. */
export function imapflow(port: number, options: Partial<ImapFlowOptions> = {}): ImapFlow {
  return new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user: 'alice', pass: 'password' }, logger: false, ...options });
}

/** Longest wait for an expected server line: a hang guard, not a timing assertion. */
export const LINE_TIMEOUT_MS = 10_000;

/**
 * CRLF lines arriving from a byte stream, read one at a time with a hang guard: the base of the raw test
 * clients (plain socket here; the COMPRESS client of the session tests feeds it inflated bytes).
 */
export abstract class LineClient {
  private buffer = Buffer.alloc(0);
  private readonly lines: string[] = [];
  private waiter: (() => void) | null = null;
  private ended = false;

  /** Send one line with CRLF. */
  abstract send(line: string): void;

  /** Bytes received: complete lines become readable (literal bodies arrive as separate lines). */
  protected received(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    let i: number;
    while ((i = this.buffer.indexOf('\r\n')) >= 0) {
      this.lines.push(this.buffer.toString('utf8', 0, i));
      this.buffer = this.buffer.subarray(i + 2);
    }
    this.notify();
  }

  /** The stream ended: once the lines already received are read, line() returns null. */
  protected finished(): void {
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Whether the server closed the connection (and every line was read). */
  get closed(): boolean {
    return this.ended && this.lines.length === 0;
  }

  /** Next line, or undefined once `deadline` passes (nothing is lost), or null when closed. */
  private async nextLine(deadline: number, pollMs: number): Promise<string | null | undefined> {
    while (this.lines.length === 0) {
      if (this.ended) return null;
      if (Date.now() > deadline) return undefined;
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, pollMs).unref();
      });
    }
    return this.lines.shift() ?? null;
  }

  /** Next line from the server, or null when the connection closed. */
  async line(): Promise<string | null> {
    const l = await this.nextLine(Date.now() + LINE_TIMEOUT_MS, 200);
    if (l === undefined) throw new Error('timed out waiting for a server line');
    return l;
  }

  /** Next line if one arrives within `ms` (undefined otherwise; nothing is lost), null when closed. Recorder only. */
  lineWithin(ms: number): Promise<string | null | undefined> {
    return this.nextLine(Date.now() + ms, 50);
  }

  /** Lines up to and including the first that matches `re`; every line read is returned. */
  async linesUntil(re: RegExp): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const l = await this.line();
      if (l === null) throw new Error(`connection closed before ${re}; got ${JSON.stringify(out)}`);
      out.push(l);
      if (re.test(l)) return out;
    }
  }

  /** Lines up to and including the tagged response of `tag`. */
  async until(tag: string): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const l = await this.line();
      if (l === null) throw new Error(`connection closed before ${tag} completed; got ${JSON.stringify(out)}`);
      out.push(l);
      if (l.startsWith(tag + ' ')) return out;
    }
  }

  /** Send a command and collect its responses. */
  async command(tag: string, text: string): Promise<string[]> {
    this.send(`${tag} ${text}`);
    return this.until(tag);
  }

  /** Read the greeting and LOGIN; throws unless the server says OK. */
  async login(user = 'alice', password = 'password'): Promise<void> {
    await this.line();
    const r = await this.command('l', `LOGIN ${user} ${password}`);
    if (!r[r.length - 1].startsWith('l OK')) throw new Error(`LOGIN ${user} failed: ${JSON.stringify(r)}`);
  }

  /** APPEND `content` through a synchronizing literal; returns every response line up to the tagged one. */
  async append(tag: string, mailbox: string, content: string, extra = ''): Promise<string[]> {
    this.send(`${tag} APPEND ${mailbox}${extra} {${Buffer.byteLength(content)}}`);
    const go = await this.line();
    if (!go?.startsWith('+ ')) throw new Error(`no continuation for APPEND: ${JSON.stringify(go)}`);
    this.send(content);
    return this.until(tag);
  }
}

/** A raw line client (IMAP, or any CRLF protocol such as LMTP) over a TCP or TLS socket. */
export class RawClient extends LineClient {
  private constructor(readonly socket: net.Socket) {
    super();
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('close', () => this.finished());
    socket.on('error', () => {});
  }

  /** Connect and return the client; the greeting is left unread. */
  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** A client over a socket already connected, e.g. the TLS socket after STARTTLS. */
  static over(socket: net.Socket): RawClient {
    return new RawClient(socket);
  }

  /** Send raw text (add CRLF yourself). */
  write(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** Send one line with CRLF. */
  send(line: string): void {
    this.socket.write(line + '\r\n');
  }

  /** Close the socket. */
  end(): void {
    this.socket.destroy();
  }
}
