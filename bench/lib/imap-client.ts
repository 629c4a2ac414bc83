/**
 * A minimal raw-socket IMAP client for load generation: tagged commands that may be pipelined, literals both
 * ways (synchronizing `{n}` waiting for `+`, or LITERAL+ `{n+}` when the server offers it, RFC 7888), IDLE
 * (RFC 2177), and the time of every command from its first byte written to its tagged response.
 *
 * It does not build a value tree: a response is its text with each literal replaced by `{n}` plus the literal
 * bytes beside it, which is all a benchmark needs (counting FETCH responses, reading EXISTS, SEARCH, UID).
 * Benchmarks that fetch whole mailboxes pass `collect: false` and count through a callback so that 100,000
 * responses do not sit in memory.
 */
import { connect, type Socket } from 'node:net';

/** Longest response line we accept without a literal; a broken server must not make us buffer forever. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** One server response (untagged, continuation or tagged). */
export interface ImapResponse {
  /** The text with literals replaced by their `{n}` announcements, CRLF removed. */
  line: string;
  /** The literals in order. */
  literals: Buffer[];
}

/** The outcome of one tagged command. */
export interface CommandResult {
  status: 'OK' | 'NO' | 'BAD';
  /** Text after the status word (response code included). */
  text: string;
  /** Untagged responses received while the command ran (empty when collect was false). */
  untagged: ImapResponse[];
  /** Milliseconds from the first byte written to the tagged response. */
  ms: number;
}

/** Options of one command. */
export interface CommandOptions {
  /** Keep untagged responses in the result (default true). */
  collect?: boolean;
  /** Called for every untagged response while this command is the oldest in flight. */
  onUntagged?: (r: ImapResponse) => void;
  /** Reject when the status is not OK (default true). */
  expectOk?: boolean;
}

/** A command part: text is sent as is, a Buffer is sent as a literal. */
export type CommandPart = string | Buffer;

interface Pending {
  tag: string;
  name: string;
  /** Remaining chunks after each synchronizing literal announcement; sent on each `+`. */
  waiting: Buffer[];
  started: bigint;
  collect: boolean;
  onUntagged: ((r: ImapResponse) => void) | undefined;
  expectOk: boolean;
  untagged: ImapResponse[];
  resolve: (r: CommandResult) => void;
  reject: (e: Error) => void;
  /** IDLE only: resolved by the `+ idling` continuation. */
  onContinue?: () => void;
}

/** Error for a tagged NO/BAD when expectOk was set. */
export class ImapCommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: CommandResult,
  ) {
    super(`${command}: ${result.status} ${result.text}`);
  }
}

const CRLF = Buffer.from('\r\n');

/** A raw IMAP connection. */
export class ImapClient {
  /** Capabilities from the greeting or the last CAPABILITY response, upper case. */
  capabilities = new Set<string>();
  /** Called for untagged responses that arrive while no command is in flight (IDLE updates, BYE ...). */
  onUnsolicited: ((r: ImapResponse) => void) | null = null;
  /** The server greeting line. */
  greeting = '';

  private buf: Buffer = Buffer.alloc(0);
  private lineParts: string[] = [];
  private literals: Buffer[] = [];
  private literalNeed = -1;
  private readonly queue: Pending[] = [];
  /** Commands whose synchronizing literals still wait for `+`, oldest first. */
  private readonly continuations: Pending[] = [];
  private tagCounter = 0;
  private closed = false;
  private closeError: Error | null = null;
  private greetingWaiter: ((line: string) => void) | null = null;
  private idling: Pending | null = null;
  /** Commands not yet written because an earlier one waits for a `+` (its literal must come first). */
  private readonly blocked: { p: Pending; first: Buffer }[] = [];

  /**
   * Write a command's first chunk, unless an earlier command still waits for a continuation: then the bytes
   * would be taken as that command's literal, so the command waits in `blocked`.
   */
  private send(p: Pending, first: Buffer): void {
    if (this.continuations.length > 0) {
      this.blocked.push({ p, first });
      return;
    }
    if (p.waiting.length > 0 || p.onContinue) this.continuations.push(p);
    this.socket.write(first);
  }

  private unblock(): void {
    while (this.continuations.length === 0 && this.blocked.length > 0) {
      const { p, first } = this.blocked.shift()!;
      this.send(p, first);
    }
  }

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  /** Connect to host:port and read the greeting (capabilities from its CAPABILITY code, if any). */
  static connect(port: number, host = '127.0.0.1'): Promise<ImapClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const client = new ImapClient(socket);
      socket.once('error', reject);
      client.greetingWaiter = (line) => {
        socket.removeListener('error', reject);
        client.greeting = line;
        if (!line.startsWith('* OK') && !line.startsWith('* PREAUTH')) {
          reject(new Error(`bad greeting: ${line}`));
          return;
        }
        client.readCapabilityCode(line);
        resolve(client);
      };
    });
  }

  /** True while the connection is usable. */
  get isOpen(): boolean {
    return !this.closed;
  }

  /** Whether the server advertised a capability (case-insensitive). */
  has(capability: string): boolean {
    return this.capabilities.has(capability.toUpperCase());
  }

  /** Commands sent and not yet completed. */
  get inFlight(): number {
    return this.queue.length;
  }

  /**
   * Send one command; the returned promise resolves on its tagged response. Calls may overlap (pipelining);
   * responses are matched by order, which RFC 3501 section 5.5 allows us to rely on for the tagged results.
   */
  command(parts: CommandPart | CommandPart[], options: CommandOptions = {}): Promise<CommandResult> {
    if (this.closed) return Promise.reject(this.closeError ?? new Error('connection closed'));
    const list = Array.isArray(parts) ? parts : [parts];
    const tag = `a${++this.tagCounter}`;
    const first = typeof list[0] === 'string' ? list[0] : '';
    const name = first.split(' ', 2)[0].toUpperCase() === 'UID' ? first.split(' ', 3).slice(0, 2).join(' ').toUpperCase() : first.split(' ', 1)[0].toUpperCase();
    const literalPlus = this.has('LITERAL+');
    // Build chunks: each synchronizing literal ends a chunk; the rest follows on `+`.
    const chunks: Buffer[] = [];
    let current: Buffer[] = [Buffer.from(`${tag} `, 'latin1')];
    for (const part of list) {
      if (typeof part === 'string') {
        current.push(Buffer.from(part, 'latin1'));
      } else if (literalPlus) {
        current.push(Buffer.from(`{${part.length}+}\r\n`, 'latin1'), part);
      } else {
        current.push(Buffer.from(`{${part.length}}\r\n`, 'latin1'));
        chunks.push(Buffer.concat(current));
        current = [part];
      }
    }
    current.push(CRLF);
    chunks.push(Buffer.concat(current));
    return new Promise<CommandResult>((resolve, reject) => {
      const p: Pending = {
        tag,
        name,
        waiting: chunks.slice(1),
        started: process.hrtime.bigint(),
        collect: options.collect ?? true,
        onUntagged: options.onUntagged,
        expectOk: options.expectOk ?? true,
        untagged: [],
        resolve,
        reject,
      };
      this.queue.push(p);
      this.send(p, chunks[0]);
    });
  }

  /** CAPABILITY, refreshing `capabilities`. */
  async capability(): Promise<Set<string>> {
    const r = await this.command('CAPABILITY');
    for (const u of r.untagged) {
      if (u.line.toUpperCase().startsWith('* CAPABILITY ')) this.setCapabilities(u.line.slice(13));
    }
    return this.capabilities;
  }

  /** LOGIN with quoted strings (the benchmark users and passwords need no escaping beyond quotes and backslashes). */
  async login(user: string, password: string): Promise<CommandResult> {
    const r = await this.command(`LOGIN ${quote(user)} ${quote(password)}`);
    this.readCapabilityCode(r.text);
    return r;
  }

  /**
   * Start IDLE (RFC 2177): resolves when the server has sent its continuation. Untagged responses arriving
   * while idling go to `onUnsolicited`. End it with `done()`.
   */
  idle(): Promise<void> {
    if (this.idling) return Promise.reject(new Error('already idling'));
    return new Promise<void>((resolveStart, rejectStart) => {
      const tag = `a${++this.tagCounter}`;
      const finished = new Promise<CommandResult>((resolve, reject) => {
        const p: Pending = {
          tag,
          name: 'IDLE',
          waiting: [],
          started: process.hrtime.bigint(),
          collect: false,
          onUntagged: (r) => this.onUnsolicited?.(r),
          expectOk: true,
          untagged: [],
          resolve,
          reject: (e) => {
            rejectStart(e);
            reject(e);
          },
          onContinue: () => resolveStart(),
        };
        this.idling = p;
        this.queue.push(p);
        this.send(p, Buffer.from(`${tag} IDLE\r\n`, 'latin1'));
      });
      this.idleDone = finished;
      finished.catch(() => undefined);
    });
  }

  private idleDone: Promise<CommandResult> | null = null;

  /** End IDLE with DONE and wait for its tagged response. */
  async done(): Promise<CommandResult> {
    if (!this.idling || !this.idleDone) throw new Error('not idling');
    this.socket.write('DONE\r\n');
    const r = await this.idleDone;
    this.idling = null;
    this.idleDone = null;
    return r;
  }

  /** LOGOUT and close; never rejects (a benchmark ending must not fail on a closed socket). */
  async logout(): Promise<void> {
    if (this.closed) return;
    try {
      await this.command('LOGOUT', { expectOk: false });
    } catch {
      /* closed under us */
    }
    this.close();
  }

  /** Close the socket without LOGOUT. */
  close(): void {
    this.socket.destroy();
  }

  /** Take capabilities from a `[CAPABILITY ...]` response code in `text` (greeting, LOGIN OK), if there is one. */
  readCapabilityCode(text: string): void {
    const m = /\[CAPABILITY ([^\]]*)\]/i.exec(text);
    if (m) this.setCapabilities(m[1]);
  }

  private setCapabilities(list: string): void {
    this.capabilities = new Set(list.trim().toUpperCase().split(/\s+/));
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.closeError = err;
    for (const p of this.queue.splice(0)) p.reject(err);
    this.continuations.length = 0;
    this.blocked.length = 0;
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    let pos = 0;
    const buf = this.buf;
    for (;;) {
      if (this.literalNeed >= 0) {
        if (buf.length - pos < this.literalNeed) break;
        this.literals.push(buf.subarray(pos, pos + this.literalNeed));
        pos += this.literalNeed;
        this.literalNeed = -1;
        continue;
      }
      const eol = buf.indexOf(CRLF, pos);
      if (eol < 0) {
        if (buf.length - pos > MAX_LINE_BYTES) {
          this.fail(new Error('response line too long'));
          this.socket.destroy();
          return;
        }
        break;
      }
      const text = buf.toString('latin1', pos, eol);
      pos = eol + 2;
      // A line ending in {n} (or ~{n} for BINARY) announces a literal that continues the same response.
      if (text.charCodeAt(text.length - 1) === 125 /* } */) {
        const open = text.lastIndexOf('{');
        const n = open >= 0 ? Number(text.slice(open + 1, -1)) : NaN;
        if (Number.isInteger(n) && n >= 0) {
          this.lineParts.push(text);
          this.literalNeed = n;
          continue;
        }
      }
      this.lineParts.push(text);
      const response: ImapResponse = { line: this.lineParts.length === 1 ? text : this.lineParts.join(''), literals: this.literals };
      this.lineParts = [];
      this.literals = [];
      this.dispatch(response);
      if (this.closed) return;
    }
    this.buf = pos >= buf.length ? Buffer.alloc(0) : buf.subarray(pos);
  }

  private dispatch(r: ImapResponse): void {
    const line = r.line;
    if (this.greetingWaiter) {
      const w = this.greetingWaiter;
      this.greetingWaiter = null;
      w(line);
      return;
    }
    const c0 = line.charCodeAt(0);
    if (c0 === 42 /* * */) {
      const head = this.queue[0];
      if (head) {
        if (head.onUntagged) head.onUntagged(r);
        if (head.collect) head.untagged.push(r);
      } else {
        this.onUnsolicited?.(r);
      }
      return;
    }
    if (c0 === 43 /* + */) {
      const p = this.continuations[0];
      if (!p) return; // stray continuation: ignore
      if (p.onContinue) {
        // IDLE: nothing may be sent but DONE until it ends, so the blocked queue stays blocked until then.
        p.onContinue();
        return;
      }
      const chunk = p.waiting.shift()!;
      if (p.waiting.length === 0) this.continuations.shift();
      this.socket.write(chunk);
      this.unblock();
      return;
    }
    // Tagged: the oldest in flight, unless the server answered out of order (only allowed for non-conflicting
    // commands; find it by tag).
    const sp = line.indexOf(' ');
    const tag = line.slice(0, sp);
    let idx = 0;
    if (this.queue[0]?.tag !== tag) idx = this.queue.findIndex((q) => q.tag === tag);
    if (idx < 0) return;
    const p = this.queue.splice(idx, 1)[0];
    const ci = this.continuations.indexOf(p);
    if (ci >= 0) {
      this.continuations.splice(ci, 1); // a NO/BAD before the literal was sent, or IDLE ended
      this.unblock();
    }
    const rest = line.slice(sp + 1);
    const sp2 = rest.indexOf(' ');
    const status = (sp2 < 0 ? rest : rest.slice(0, sp2)).toUpperCase() as CommandResult['status'];
    const result: CommandResult = {
      status,
      text: sp2 < 0 ? '' : rest.slice(sp2 + 1),
      untagged: p.untagged,
      ms: Number(process.hrtime.bigint() - p.started) / 1e6,
    };
    if (p.expectOk && status !== 'OK') p.reject(new ImapCommandError(p.name, result));
    else p.resolve(result);
  }
}

/** IMAP quoted string (RFC 3501 section 4.3). */
export function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The number in `* N EXISTS`, or -1. */
export function existsCount(r: ImapResponse): number {
  const m = /^\* (\d+) EXISTS/i.exec(r.line);
  return m ? Number(m[1]) : -1;
}

/** Values of a response code like `[UIDNEXT 42]` in any untagged response or the tagged text. */
export function responseCode(result: CommandResult, code: string): string | null {
  const re = new RegExp(`\\[${code} ([^\\]]*)\\]`, 'i');
  for (const u of result.untagged) {
    const m = re.exec(u.line);
    if (m) return m[1];
  }
  const m = re.exec(result.text);
  return m ? m[1] : null;
}

/** The UIDs of a `* SEARCH` response (all SEARCH responses of a result). */
export function searchUids(result: CommandResult): number[] {
  const out: number[] = [];
  for (const u of result.untagged) {
    if (/^\* SEARCH\b/i.test(u.line)) {
      for (const t of u.line.slice(8).trim().split(' ')) if (t) out.push(Number(t));
    }
  }
  return out;
}

/** The UID inside a FETCH response line, or -1. */
export function fetchUid(r: ImapResponse): number {
  const m = /[( ]UID (\d+)/i.exec(r.line);
  return m ? Number(m[1]) : -1;
}
