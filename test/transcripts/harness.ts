/**
 * Test helpers for the IMAP e2e tests and the transcript runner: a real ImapServer on 127.0.0.1:0 over
 * the memory store, and a line-oriented raw client.
 */
import net from 'node:net';
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

/** Longest wait for an expected server line: a hang guard, not a timing assertion. */
export const LINE_TIMEOUT_MS = 10_000;

/** A raw IMAP client reading CRLF lines (literal bodies arrive as separate lines). */
export class RawClient {
  private buffer = Buffer.alloc(0);
  private readonly lines: string[] = [];
  private waiter: (() => void) | null = null;
  private ended = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      let i: number;
      while ((i = this.buffer.indexOf('\r\n')) >= 0) {
        this.lines.push(this.buffer.toString('utf8', 0, i));
        this.buffer = this.buffer.subarray(i + 2);
      }
      this.notify();
    });
    socket.on('close', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('error', () => {});
  }

  private notify(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Connect and return the client; the greeting is left unread. */
  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Whether the server closed the connection (and every line was read). */
  get closed(): boolean {
    return this.ended && this.lines.length === 0;
  }

  /** Send raw text (add CRLF yourself). */
  write(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** Send one line with CRLF. */
  send(line: string): void {
    this.socket.write(line + '\r\n');
  }

  /** Next line from the server, or null when the connection closed. */
  async line(): Promise<string | null> {
    const deadline = Date.now() + LINE_TIMEOUT_MS;
    while (this.lines.length === 0) {
      if (this.ended) return null;
      if (Date.now() > deadline) throw new Error('timed out waiting for a server line');
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 200).unref();
      });
    }
    return this.lines.shift() ?? null;
  }

  /** Next line if one arrives within `ms` (undefined otherwise; nothing is lost), null when closed. Recorder only. */
  async lineWithin(ms: number): Promise<string | null | undefined> {
    const deadline = Date.now() + ms;
    while (this.lines.length === 0) {
      if (this.ended) return null;
      if (Date.now() > deadline) return undefined;
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 50).unref();
      });
    }
    return this.lines.shift() ?? null;
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

  /** Close the socket. */
  end(): void {
    this.socket.destroy();
  }
}
