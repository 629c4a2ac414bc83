/**
 * The section fetches compared with Dovecot (scripts/dovecot-golden.ts writes test/golden/sections/*.txt):
 * for every fixture, HEADER/TEXT/HEADER.FIELDS of the message and, for every part, the part, its MIME
 * header, HEADER/TEXT of encapsulated messages and BINARY/BINARY.SIZE. Each answer is stored as its length
 * and a SHA-256 prefix so the goldens stay small.
 */
import { createHash } from 'node:crypto';
import { parseMessage, planSection, planBinary, filterHeaderFields, decodeTransfer } from '../../src/message/index.ts';
import type { MessageMeta, MimePart, SectionSpec } from '../../src/message/index.ts';

/** Limits that keep the golden files small on deep fixtures. */
const MAX_PATHS = 40;
const MAX_PATH_LENGTH = 6;

/** Every part path of a message, in document order (RFC 3501 section 6.4.5 numbering). */
export function partPaths(meta: MessageMeta): number[][] {
  const out: number[][] = [];
  const walk = (p: MimePart, prefix: number[]): void => {
    if (out.length >= MAX_PATHS || prefix.length >= MAX_PATH_LENGTH) return;
    const container = prefix.length > 0 && p.kind === 'message' && p.message !== null ? p.message.body : p;
    if (container.kind === 'multipart') {
      container.children.forEach((c, i) => {
        out.push([...prefix, i + 1]);
        walk(c, [...prefix, i + 1]);
      });
    } else if (prefix.length === 0 || p.kind === 'message') {
      out.push([...prefix, 1]);
      if (container !== p) walk(container, [...prefix, 1]);
    }
  };
  walk(meta.root, []);
  return out;
}

/** The FETCH items to compare for one message: [IMAP item, our section spec or binary path]. */
export function sectionItems(meta: MessageMeta): Array<{ item: string; spec?: SectionSpec; binary?: number[]; size?: boolean }> {
  const items: Array<{ item: string; spec?: SectionSpec; binary?: number[]; size?: boolean }> = [
    { item: 'BODY.PEEK[HEADER]', spec: { part: [], specifier: 'HEADER' } },
    { item: 'BODY.PEEK[TEXT]', spec: { part: [], specifier: 'TEXT' } },
    { item: 'BODY.PEEK[HEADER.FIELDS (From subject CONTENT-TYPE)]', spec: { part: [], specifier: 'HEADER.FIELDS', fields: ['From', 'subject', 'CONTENT-TYPE'] } },
    { item: 'BODY.PEEK[HEADER.FIELDS.NOT (Received Subject)]', spec: { part: [], specifier: 'HEADER.FIELDS.NOT', fields: ['Received', 'Subject'] } },
    { item: 'BODY.PEEK[99]', spec: { part: [99], specifier: null } },
  ];
  for (const path of partPaths(meta)) {
    const s = path.join('.');
    items.push({ item: `BODY.PEEK[${s}]`, spec: { part: path, specifier: null } });
    items.push({ item: `BODY.PEEK[${s}.MIME]`, spec: { part: path, specifier: 'MIME' } });
    items.push({ item: `BODY.PEEK[${s}.HEADER]`, spec: { part: path, specifier: 'HEADER' } });
    items.push({ item: `BODY.PEEK[${s}.TEXT]`, spec: { part: path, specifier: 'TEXT' } });
    items.push({ item: `BINARY.PEEK[${s}]`, binary: path });
    items.push({ item: `BINARY.SIZE[${s}]`, binary: path, size: true });
  }
  return items;
}

function digest(bytes: Buffer): string {
  return `${bytes.length} ${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;
}

/** Our answer for one item, in the golden line format (after the item name). */
export function ourAnswer(raw: Buffer, meta: MessageMeta, it: ReturnType<typeof sectionItems>[number]): string {
  if (it.spec !== undefined) {
    const plan = planSection(meta, it.spec);
    if (plan.kind === 'empty') return digest(Buffer.alloc(0));
    if (plan.kind === 'range') return digest(raw.subarray(plan.start, plan.end));
    return digest(filterHeaderFields(raw.subarray(plan.start, plan.end), plan.fields, plan.not));
  }
  const plan = planBinary(meta, it.binary ?? []);
  if (plan.kind === 'unknownCte') return 'NO UNKNOWN-CTE';
  const bytes = plan.kind === 'empty' ? Buffer.alloc(0) : decodeTransfer(raw.subarray(plan.start, plan.end), plan.encoding);
  return it.size === true ? String(bytes.length) : digest(bytes);
}

/** Our whole sections golden for a raw message. */
export function renderSections(raw: Buffer): string {
  const meta = parseMessage(raw);
  return sectionItems(meta).map((it) => `${it.item} ${ourAnswer(raw, meta, it)}\n`).join('');
}

/** Dovecot's answer for one item from its tagged-response text and FETCH data, same format. */
export function dovecotAnswer(it: ReturnType<typeof sectionItems>[number], status: string, value: Buffer | null): string {
  if (!status.startsWith('OK')) return /UNKNOWN-CTE/i.test(status) ? 'NO UNKNOWN-CTE' : `NO ${status}`;
  if (value === null) return it.size === true ? '0' : digest(Buffer.alloc(0));
  if (it.size === true) return value.toString('latin1');
  return digest(value);
}
