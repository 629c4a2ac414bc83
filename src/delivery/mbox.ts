/**
 * mbox reading (RFC 4155, and the mboxo/mboxrd variants of qmail's mbox(5)), streamed: a file is read in
 * chunks and yields one message at a time, so a 1 GB mbox never sits in memory.
 *
 * A message starts at a "From " line (the From_ line) that either follows a blank line (or starts the file) or
 * carries an asctime date (writers that forget the blank line, as mutt's and Dovecot's parsers tolerate). The
 * blank line before a From_ line belongs to the mbox format, not to the message, and is dropped. Lines quoted
 * by the writer are unquoted: mboxrd (the default) removes one ">" from any `>+From ` line; mboxo removes the
 * ">" of `>From ` only. Line endings come out as CRLF whatever the file uses.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { MBOX_READ_CHUNK } from './limits.ts';

/** The quoting convention of the file. */
export type MboxFormat = 'mboxrd' | 'mboxo';

/** One message read from an mbox. */
export interface MboxMessage {
  /** The message bytes, CRLF line endings, From_ line removed and quoting undone. */
  readonly content: Buffer;
  /** Date of the From_ line (the delivery date), when it parses. */
  readonly internalDate?: Date;
  /** The envelope sender of the From_ line. */
  readonly sender: string;
}

const CRLF = Buffer.from('\r\n');
const FROM_ = Buffer.from('From ');
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// asctime as ctime(3) writes it ("Sat Nov 21 22:07:07 2026"), with the variants found in the wild: a zone
// name or offset before the year, an offset after it, seconds missing.
const ASCTIME =
  /(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+([a-z]{3})[a-z]*\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(?:([a-z]{1,5}|[+-]\d{4})\s+)?(\d{4})(?:\s+([+-]\d{4}))?/i;

function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || !/^[+-]\d{4}$/.test(zone)) return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
}

/**
 * Parse a From_ line (without its line ending): sender and date. Null when it is not a "From " line. A date
 * without a zone is taken as UTC (ctime writes local time of an unknown zone; UTC is the stable guess).
 */
export function parseFromLine(line: string): { sender: string; date?: Date } | null {
  if (!line.startsWith('From ')) return null;
  const rest = line.slice(5).trimStart();
  const space = rest.search(/\s/);
  const sender = space === -1 ? rest : rest.slice(0, space);
  const m = ASCTIME.exec(rest);
  if (m === null) return { sender };
  const month = MONTHS.indexOf(m[1].toLowerCase());
  if (month === -1) return { sender };
  const utc = Date.UTC(Number(m[7]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5] ?? '0'));
  const date = new Date(utc - offsetMinutes(m[8] ?? m[6]) * 60_000);
  return Number.isNaN(date.getTime()) ? { sender } : { sender, date };
}

/** True when `line` (no line ending) is quoted and must lose its first ">". */
function isQuotedFrom(line: Buffer, format: MboxFormat): boolean {
  if (line.length < 6 || line[0] !== 0x3e) return false;
  let i = 1;
  if (format === 'mboxrd') while (i < line.length && line[i] === 0x3e) i++;
  return line.length - i >= 5 && line.compare(FROM_, 0, 5, i, i + 5) === 0;
}

/**
 * Incremental splitter: feed chunks, collect finished messages. With `collect: false` it only counts
 * messages (the import's first pass, for a progress total) and allocates nothing per line.
 */
export class MboxSplitter {
  private carry: Buffer | null = null;
  private parts: Buffer[] = [];
  private bytes = 0;
  private inMessage = false;
  private prevBlank = true;
  private lastWasBlank = false;
  private current: { sender: string; date?: Date } | null = null;
  private readonly out: MboxMessage[] = [];
  /** Messages started so far. */
  count = 0;
  /** Bytes before the first From_ line (not an mbox when non-zero and no message follows). */
  leadingGarbage = 0;

  constructor(
    private readonly format: MboxFormat = 'mboxrd',
    private readonly collect = true,
  ) {}

  /** Feed the next chunk; returns the messages completed by it. */
  push(chunk: Buffer): MboxMessage[] {
    let start = 0;
    let lf = chunk.indexOf(0x0a);
    if (this.carry !== null && lf !== -1) {
      this.line(Buffer.concat([this.carry, chunk.subarray(0, lf)]));
      this.carry = null;
      start = lf + 1;
      lf = chunk.indexOf(0x0a, start);
    }
    while (lf !== -1) {
      this.line(chunk.subarray(start, lf));
      start = lf + 1;
      lf = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      // Copy: the carry must not pin the whole chunk, and the next chunk may be a reused buffer.
      this.carry = this.carry === null ? Buffer.from(rest) : Buffer.concat([this.carry, rest]);
    }
    return this.out.splice(0);
  }

  /** End of input: returns the last message(s). */
  end(): MboxMessage[] {
    if (this.carry !== null) {
      const last = this.carry;
      this.carry = null;
      this.line(last);
    }
    this.finish();
    return this.out.splice(0);
  }

  private line(raw: Buffer): void {
    const line = raw.length > 0 && raw[raw.length - 1] === 0x0d ? raw.subarray(0, raw.length - 1) : raw;
    if (line.length >= 5 && line[0] === 0x46 && line.compare(FROM_, 0, 5, 0, 5) === 0) {
      const parsed = parseFromLine(line.toString('latin1'));
      if (parsed !== null && (this.prevBlank || parsed.date !== undefined)) {
        this.finish();
        this.inMessage = true;
        this.count++;
        this.current = parsed;
        this.prevBlank = false;
        return;
      }
    }
    const blank = line.length === 0;
    if (!this.inMessage) {
      this.leadingGarbage += raw.length + 1;
      this.prevBlank = blank;
      return;
    }
    if (this.collect) {
      const body = isQuotedFrom(line, this.format) ? line.subarray(1) : line;
      this.parts.push(body, CRLF);
      this.bytes += body.length + 2;
    }
    this.prevBlank = blank;
    this.lastWasBlank = blank;
  }

  private finish(): void {
    if (!this.inMessage || this.current === null) return;
    if (this.collect) {
      // The blank line that ends every mbox entry is the format's, not the message's.
      if (this.lastWasBlank && this.parts.length >= 2) {
        this.parts.length -= 2;
        this.bytes -= 2;
      }
      const content = Buffer.concat(this.parts, this.bytes);
      const { sender, date } = this.current;
      this.out.push(date === undefined ? { content, sender } : { content, sender, internalDate: date });
    }
    this.parts = [];
    this.bytes = 0;
    this.lastWasBlank = false;
    this.inMessage = false;
    this.current = null;
  }
}

/** Stream the messages of an mbox file, one at a time (backpressure: the file is read as they are consumed). */
export async function* readMbox(path: string, format: MboxFormat = 'mboxrd'): AsyncGenerator<MboxMessage> {
  const splitter = new MboxSplitter(format);
  for await (const chunk of createReadStream(path, { highWaterMark: MBOX_READ_CHUNK })) {
    yield* splitter.push(chunk as Buffer);
  }
  yield* splitter.end();
}

/** Count the messages of an mbox file without building them (a first pass for the progress total). */
export async function countMbox(path: string, format: MboxFormat = 'mboxrd'): Promise<number> {
  const splitter = new MboxSplitter(format, false);
  for await (const chunk of createReadStream(path, { highWaterMark: MBOX_READ_CHUNK })) {
    splitter.push(chunk as Buffer);
  }
  splitter.end();
  return splitter.count;
}

/** True when the file starts with a From_ line (how `importMessages` tells an mbox from a single message). */
export async function looksLikeMbox(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(5);
    const { bytesRead } = await handle.read(head, 0, 5, 0);
    return bytesRead === 5 && head.equals(FROM_);
  } finally {
    await handle.close();
  }
}
