/**
 * A minimal raw-socket POP3 client (RFC 1939) for benchmarks: commands may be pipelined (RFC 2449
 * PIPELINING); multi-line responses are delimited by CRLF.CRLF and returned as raw bytes (still dot-stuffed,
 * which is all a benchmark needs to count them).
 */
import { connect, type Socket } from 'node:net';

/** One POP3 reply. */
export interface Pop3Reply {
  ok: boolean;
  /** The status line without CRLF. */
  line: string;
  /** Multi-line body bytes (between the status line and the terminating "."), when requested. */
  body: Buffer | null;
  ms: number;
}

interface Pending {
  multi: boolean;
  started: bigint;
  resolve: (r: Pop3Reply) => void;
  reject: (e: Error) => void;
}

const CRLF = Buffer.from('\r\n');
const TERMINATOR = Buffer.from('\r\n.\r\n');

/** A raw POP3 connection. */
export class Pop3Client {
  private buf: Buffer = Buffer.alloc(0);
  private readonly queue: Pending[] = [];
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  /** Connect and read the greeting. */
  static async connect(port: number, host = '127.0.0.1'): Promise<Pop3Client> {
    const socket = connect({ host, port });
    const c = new Pop3Client(socket);
    const greeting = await new Promise<Pop3Reply>((resolve, reject) => c.queue.push({ multi: false, started: process.hrtime.bigint(), resolve, reject }));
    if (!greeting.ok) throw new Error(`bad POP3 greeting: ${greeting.line}`);
    return c;
  }

  /** Send one command; `multi` when the reply is multi-line on success (LIST, UIDL, RETR, TOP, CAPA). */
  command(line: string, multi = false): Promise<Pop3Reply> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ multi, started: process.hrtime.bigint(), resolve, reject });
      this.socket.write(`${line}\r\n`);
    });
  }

  /** USER/PASS login; rejects on -ERR. */
  async login(user: string, password: string): Promise<void> {
    const u = await this.command(`USER ${user}`);
    if (!u.ok) throw new Error(`USER: ${u.line}`);
    const p = await this.command(`PASS ${password}`);
    if (!p.ok) throw new Error(`PASS: ${p.line}`);
  }

  /** QUIT and close. */
  async quit(): Promise<void> {
    try {
      await this.command('QUIT');
    } catch {
      /* closed */
    }
    this.socket.destroy();
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(e);
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    let pos = 0;
    const buf = this.buf;
    while (this.queue.length > 0) {
      const eol = buf.indexOf(CRLF, pos);
      if (eol < 0) break;
      const head = this.queue[0];
      const line = buf.toString('latin1', pos, eol);
      const ok = line.startsWith('+OK');
      if (head.multi && ok) {
        const end = buf.indexOf(TERMINATOR, eol);
        if (end < 0) break;
        this.queue.shift();
        head.resolve({ ok, line, body: buf.subarray(eol + 2, end + 2), ms: Number(process.hrtime.bigint() - head.started) / 1e6 });
        pos = end + TERMINATOR.length;
      } else {
        this.queue.shift();
        head.resolve({ ok, line, body: null, ms: Number(process.hrtime.bigint() - head.started) / 1e6 });
        pos = eol + 2;
      }
    }
    this.buf = pos >= buf.length ? Buffer.alloc(0) : buf.subarray(pos);
  }
}
