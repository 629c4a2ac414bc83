/**
 * Executing a FETCH plan against a selected mailbox: UIDs are read from the store a page at a time, the
 * metadata record only when an item needs it, message bytes only for sections (and only the window a
 * partial fetch asks for). Large literals are streamed from the store with backpressure, so a 50 MB
 * message never sits in the heap (DESIGN.md section 3, "Streams").
 */
import { pipeline, Transform, type Readable } from 'node:stream';
import { hasFlag } from '../../core/flags.ts';
import { isStoreError } from '../../store/errors.ts';
import type { MessageBody, MessageRecord } from '../../store/types.ts';
import type { ResponseWriter, SelectedView } from '../commands/types.ts';
import { formatImapDateTime } from '../wire/date-time.ts';
import { encodeLiteral, encodeValue, type ValueEncodingOptions } from '../wire/value-encoder.ts';
import { asciiRender } from './ascii-render.ts';
import { flagsText, flagsValue } from './flags.ts';
import { bodyStructureValue } from './bodystructure.ts';
import { envelopeValue } from './envelope.ts';
import { itemLabel, type FetchItem, type FetchPlan, type PartialRange } from './plan.ts';
import { binarySizeHint, decodeTransfer, filterHeaderFields, planBinary, planSection } from '../../message/index.ts';
import type { SectionPlan } from '../../message/index.ts';
import { sliceStream, transferDecoderStream } from './decode-stream.ts';
import { partialWindow, replaceNul, sectionSpecOf, UnknownCteError } from './literal-data.ts';

/** UIDs per `mailbox.fetch` call: bounds the records held at once while keeping store round trips few. */
export const FETCH_PAGE_SIZE = 1000;

/**
 * Literals longer than this are streamed from the store instead of read into one Buffer: a typical
 * message (well under 256 KiB) costs one read, and a huge one never needs its size in heap.
 */
export const STREAM_THRESHOLD = 256 * 1024;

/** What happened during a FETCH. */
export interface FetchOutcome {
  /** Messages in the client's view that the store no longer has (expunged by another session). */
  readonly missing: number;
}

/** Options of executeFetch. */
export interface FetchOptions {
  /** UTF-8 may appear in quoted strings (UTF8=ACCEPT / IMAP4rev2 enabled). */
  readonly utf8: boolean;
  /**
   * Whether FLAGS shows \Recent (default true). IMAP4rev2 removed \Recent (RFC 9051 appendix E item 12),
   * so FETCH leaves it out once the client enabled IMAP4rev2.
   */
  readonly recent?: boolean;
}

/**
 * Responses are collected across messages and written once this many bytes are pending (or at the end of
 * a store page): one socket write per batch instead of one per message, which dominated FETCH 1:* FLAGS.
 */
export const WRITE_BATCH_BYTES = 64 * 1024;

const FLAGS_ITEM: FetchItem = { type: 'flags' };

/** Collects FETCH responses, flushing buffered bytes before a stream is written. */
class ResponseChunks {
  private readonly parts: Buffer[] = [];
  /** Bytes of parts[0, counted): bufferedBytes() adds the parts pushed since. */
  private counted = 0;
  private bytes = 0;
  /** Incremented by every flush, so a mark can tell whether its bytes are still pending. */
  private flushes = 0;
  constructor(private readonly out: ResponseWriter) {}

  /** Bytes pending. */
  bufferedBytes(): number {
    for (; this.counted < this.parts.length; this.counted++) this.bytes += this.parts[this.counted].length;
    return this.bytes;
  }

  /** Where the next response starts, for dropTo. */
  mark(): { readonly flushes: number; readonly length: number } {
    return { flushes: this.flushes, length: this.parts.length };
  }

  /** Drop the pending bytes pushed since `mark` (a response that failed half-way is not sent). */
  dropTo(mark: { readonly flushes: number; readonly length: number }): void {
    this.parts.length = mark.flushes === this.flushes ? Math.min(mark.length, this.parts.length) : 0;
    this.counted = 0;
    this.bytes = 0;
  }

  push(bytes: Buffer): void {
    this.parts.push(bytes);
  }

  list(): Buffer[] {
    return this.parts;
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const bytes = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    this.parts.length = 0; // in place: callers hold list()
    this.counted = 0;
    this.bytes = 0;
    this.flushes++;
    await this.out.raw(bytes);
  }

  /** Write a stream; it is destroyed afterwards in any case, so a failed write stops the store read too. */
  async stream(source: Readable): Promise<void> {
    try {
      await this.flush();
      await this.out.stream(source);
    } finally {
      source.destroy();
    }
  }
}

/**
 * Write the FETCH responses for `uids` (ascending, all in the session's view). \Seen is set first for
 * non-PEEK sections on a read-write mailbox; FLAGS is then added to the response of each message whose
 * flags changed (RFC 3501 section 6.4.5), right after UID, as Dovecot does.
 */
export async function executeFetch(
  view: SelectedView,
  out: ResponseWriter,
  plan: FetchPlan,
  uids: readonly number[],
  options: FetchOptions,
): Promise<FetchOutcome> {
  let missing = 0;
  const enc: ValueEncodingOptions = { utf8: options.utf8 };
  const showRecent = options.recent ?? true;
  const chunks = new ResponseChunks(out);
  for (let i = 0; i < uids.length; i += FETCH_PAGE_SIZE) {
    const page = uids.slice(i, i + FETCH_PAGE_SIZE);
    let records = await view.mailbox.fetch(page, { meta: plan.needsMeta });
    missing += page.length - records.length;
    let changed: ReadonlySet<number> = new Set();
    if (plan.setsSeen && !view.readOnly) {
      ({ records, changed } = await markSeen(view, records));
    }
    for (const record of records) {
      const seq = view.seqOf(record.uid);
      if (seq === 0) continue; // not in this session's view (cannot happen for resolved UIDs)
      const mark = chunks.mark();
      let written: boolean;
      try {
        written = await writeMessage(view, chunks, plan, record, seq, changed.has(record.uid), enc, showRecent);
      } catch (err) {
        // As when each response was written alone: the complete ones go out, the failed one does not.
        chunks.dropTo(mark);
        await chunks.flush();
        throw err;
      }
      if (!written) missing++;
      if (chunks.bufferedBytes() >= WRITE_BATCH_BYTES) await chunks.flush();
    }
    await chunks.flush();
  }
  return { missing };
}

/** Add \Seen to the records that lack it; returns the records with their new flags and the changed UIDs. */
async function markSeen(
  view: SelectedView,
  records: MessageRecord[],
): Promise<{ records: MessageRecord[]; changed: ReadonlySet<number> }> {
  const unseen = records.filter((r) => !hasFlag(r.flags, '\\Seen')).map((r) => r.uid);
  if (unseen.length === 0) return { records, changed: new Set() };
  const result = await view.mailbox.storeFlags(unseen, { op: 'add', flags: ['\\Seen'] });
  const updated = new Map(result.updated.map((u) => [u.uid, u.flags]));
  return {
    records: records.map((r) => {
      const flags = updated.get(r.uid);
      return flags === undefined ? r : { ...r, flags };
    }),
    changed: new Set(updated.keys()),
  };
}

/**
 * A large part's decoded BINARY data, streamed twice from the store: once to learn its decoded size (and
 * whether the requested window holds NUL, which decides literal vs literal8), once to send it.
 */
interface StreamedBinary {
  readonly start: number;
  readonly end: number;
  readonly encoding: string;
  readonly size: number;
  readonly nul: boolean;
}

/** Binary data of the message computed before anything is written, so UNKNOWN-CTE fails cleanly. */
type Prepared = Map<FetchItem, Buffer | StreamedBinary>;

/**
 * Encoded parts larger than this are decoded as streams (two passes) instead of in one Buffer: bounded
 * heap for huge attachments, one store read for ordinary ones.
 */
export const BINARY_STREAM_THRESHOLD = 1024 * 1024;

async function measureDecoded(
  body: MessageBody,
  loc: { start: number; end: number; encoding: string },
  window: { origin: number; end: number },
): Promise<StreamedBinary> {
  const decoder = transferDecoderStream(loc.encoding);
  pipeline(body.stream(loc.start, loc.end), decoder, () => {});
  let size = 0;
  let nul = false;
  for await (const chunk of decoder as AsyncIterable<Buffer>) {
    if (!nul) {
      const from = Math.max(window.origin - size, 0);
      const to = Math.min(window.end - size, chunk.length);
      if (to > from && chunk.subarray(from, to).includes(0)) nul = true;
    }
    size += chunk.length;
  }
  return { ...loc, size, nul };
}

async function prepareBinary(plan: FetchPlan, record: MessageRecord, body: MessageBody): Promise<Prepared> {
  const prepared: Prepared = new Map();
  for (const item of plan.items) {
    if (item.type !== 'binary' && item.type !== 'binarySize') continue;
    // Part location and the CTE rules are the message module's (src/message/sections.ts).
    const loc = planBinary(requireMeta(record), item.part);
    if (loc.kind === 'unknownCte') throw new UnknownCteError(`unknown content transfer encoding in part ${item.part.join('.')}`);
    if (loc.kind === 'empty') {
      // A part that does not exist is empty, as Dovecot answers it.
      prepared.set(item, Buffer.alloc(0));
      continue;
    }
    const hint = binarySizeHint(loc);
    if (item.type === 'binarySize' && hint !== null) {
      // An identity encoding: the size is known without reading a byte.
      prepared.set(item, { ...loc, size: hint, nul: false });
    } else if (loc.end - loc.start > BINARY_STREAM_THRESHOLD) {
      const partial = item.type === 'binary' ? item.partial : null;
      const window = partial === null ? { origin: 0, end: Infinity } : { origin: partial.origin, end: partial.origin + partial.count };
      prepared.set(item, await measureDecoded(body, loc, window));
    } else {
      prepared.set(item, decodeTransfer(await body.read(loc.start, loc.end), loc.encoding));
    }
  }
  return prepared;
}

/** One `* seq FETCH (...)` response. Returns false when the message vanished from the store meanwhile. */
async function writeMessage(
  view: SelectedView,
  chunks: ResponseChunks,
  plan: FetchPlan,
  record: MessageRecord,
  seq: number,
  seenChanged: boolean,
  enc: ValueEncodingOptions,
  showRecent: boolean,
): Promise<boolean> {
  let body: MessageBody | null = null;
  let prepared: Prepared = new Map();
  if (plan.needsBody) {
    try {
      body = await view.mailbox.body(record.uid);
    } catch (err) {
      if (isStoreError(err, 'notFound')) return false;
      throw err;
    }
    prepared = await prepareBinary(plan, record, body);
  }
  let items = plan.items;
  if (seenChanged && !plan.hasFlags) {
    const at = items.length > 0 && items[0].type === 'uid' ? 1 : 0;
    items = [...items.slice(0, at), FLAGS_ITEM, ...items.slice(at)];
  }
  // Short ASCII items are gathered into one string, so FETCH 1:* (UID FLAGS) costs one Buffer per message.
  let text = `* ${seq} FETCH (`;
  for (let i = 0; i < items.length; i++) {
    if (i > 0) text += ' ';
    const item = items[i];
    const inline = inlineText(view, item, record, showRecent);
    if (inline !== null) {
      text += `${itemLabel(item)} ${inline}`;
      continue;
    }
    chunks.push(Buffer.from(text));
    text = '';
    chunks.push(Buffer.from(itemLabel(item) + ' ', 'latin1'));
    await writeItem(view, chunks, item, record, body, prepared, enc, showRecent);
  }
  chunks.push(Buffer.from(text + ')\r\n'));
  return true;
}

/**
 * The rendering of an item as writeItem would encode it, when it is short text: numbers, flags (UTF-8, as
 * encodeValue writes atoms; keywords may hold 8-bit text), and dates, ENVELOPE, BODY and BODYSTRUCTURE when
 * they are plain ASCII (asciiRender). Null for the items writeItem renders.
 */
function inlineText(view: SelectedView, item: FetchItem, record: MessageRecord, showRecent: boolean): string | null {
  switch (item.type) {
    case 'uid':
      return String(record.uid);
    case 'flags':
      return flagsText(record.flags, showRecent && view.isRecent(record.uid));
    case 'size':
      return String(record.size);
    case 'internalDate':
      return asciiRender(formatImapDateTime(record.internalDate));
    case 'envelope':
      return asciiRender(envelopeValue(requireMeta(record)));
    case 'body':
      return asciiRender(bodyStructureValue(requireMeta(record), false));
    case 'bodyStructure':
      return asciiRender(bodyStructureValue(requireMeta(record), true));
    default:
      return null;
  }
}

async function writeItem(
  view: SelectedView,
  chunks: ResponseChunks,
  item: FetchItem,
  record: MessageRecord,
  body: MessageBody | null,
  prepared: Prepared,
  enc: ValueEncodingOptions,
  showRecent: boolean,
): Promise<void> {
  const parts = chunks.list();
  switch (item.type) {
    case 'uid':
      parts.push(Buffer.from(String(record.uid)));
      return;
    case 'flags':
      encodeValue(flagsValue(record.flags, showRecent && view.isRecent(record.uid)), parts, enc);
      return;
    case 'saveDate':
      // Every store keeps a save date, so never NIL (RFC 8514 section 4.2).
      encodeValue(formatImapDateTime(record.saveDate), parts, enc);
      return;
    case 'emailId':
      // RFC 8474 section 5.1: the id in parentheses; ids are objectid atoms (ALPHA / DIGIT / "_" / "-").
      parts.push(Buffer.from(`(${record.emailId})`, 'latin1'));
      return;
    case 'threadId':
      parts.push(Buffer.from(`(${record.threadId})`, 'latin1'));
      return;
    case 'internalDate':
      encodeValue(formatImapDateTime(record.internalDate), parts, enc);
      return;
    case 'size':
      parts.push(Buffer.from(String(record.size)));
      return;
    case 'envelope':
      encodeValue(envelopeValue(requireMeta(record)), parts, enc);
      return;
    case 'body':
      encodeValue(bodyStructureValue(requireMeta(record), false), parts, enc);
      return;
    case 'bodyStructure':
      encodeValue(bodyStructureValue(requireMeta(record), true), parts, enc);
      return;
    case 'binarySize': {
      const data = prepared.get(item) ?? Buffer.alloc(0);
      parts.push(Buffer.from(String(Buffer.isBuffer(data) ? data.length : data.size)));
      return;
    }
    case 'binary': {
      const data = prepared.get(item) ?? Buffer.alloc(0);
      if (!Buffer.isBuffer(data)) {
        await writeStreamedBinary(chunks, data, item.partial, requireBody(body));
        return;
      }
      const win = partialWindow(data.length, item.partial);
      const slice = data.subarray(win.start, win.end);
      // literal8 only when the data holds NUL; other 8-bit data SHOULD be a plain literal (RFC 3516 4.3).
      encodeLiteral(slice, parts, slice.includes(0));
      return;
    }
    case 'section':
      await writeSection(chunks, item, record, requireBody(body));
      return;
  }
}

async function writeStreamedBinary(
  chunks: ResponseChunks,
  data: StreamedBinary,
  partial: PartialRange | null,
  body: MessageBody,
): Promise<void> {
  const win = partialWindow(data.size, partial);
  // literal8 only when NUL occurs in what is sent (RFC 3516 section 4.3).
  chunks.push(Buffer.from(`${data.nul ? '~' : ''}{${win.end - win.start}}\r\n`));
  await chunks.flush();
  const decoder = transferDecoderStream(data.encoding);
  const slice = sliceStream(win.start, win.end);
  pipeline(body.stream(data.start, data.end), decoder, slice, () => {});
  await chunks.stream(slice);
}

async function writeSection(
  chunks: ResponseChunks,
  item: Extract<FetchItem, { type: 'section' }>,
  record: MessageRecord,
  body: MessageBody,
): Promise<void> {
  const parts = chunks.list();
  const spec = sectionSpecOf(item.section);
  // The whole message (BODY[], RFC822) needs only its size; every other section is planned by the
  // message module from the metadata record (src/message/sections.ts), which matches Dovecot.
  const source: SectionPlan =
    spec.part.length === 0 && spec.specifier === null
      ? { kind: 'range', start: 0, end: record.size }
      : planSection(requireMeta(record), spec);
  if (source.kind === 'empty') {
    encodeLiteral(Buffer.alloc(0), parts, false);
    return;
  }
  if (source.kind === 'headerFields') {
    const meta = requireMeta(record);
    // The top-level header is kept in the metadata record: no body read for the common case.
    const header =
      source.start === 0 && source.end === meta.header.length ? meta.header : await body.read(source.start, source.end);
    const data = replaceNul(filterHeaderFields(header, source.fields, source.not));
    const win = partialWindow(data.length, item.partial);
    encodeLiteral(data.subarray(win.start, win.end), parts, false);
    return;
  }
  const win = partialWindow(source.end - source.start, item.partial);
  const start = source.start + win.start;
  const end = source.start + win.end;
  if (end - start > STREAM_THRESHOLD) {
    chunks.push(Buffer.from(`{${end - start}}\r\n`));
    await chunks.flush();
    const clean = nulToHighBit();
    // pipeline() forwards a store read error to `clean`, so the writer sees it and the command fails.
    pipeline(body.stream(start, end), clean, () => {});
    await chunks.stream(clean);
    return;
  }
  encodeLiteral(end > start ? replaceNul(await body.read(start, end)) : Buffer.alloc(0), parts, false);
}

/** replaceNul over a stream. */
function nulToHighBit(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      callback(null, replaceNul(chunk));
    },
  });
}

function requireMeta(record: MessageRecord): NonNullable<MessageRecord['meta']> {
  if (record.meta === undefined) throw new Error(`message metadata missing for UID ${record.uid}`);
  return record.meta;
}

function requireBody(body: MessageBody | null): MessageBody {
  if (body === null) throw new Error('message body not opened');
  return body;
}
