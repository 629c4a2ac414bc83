/**
 * Searchable text of a message (RFC 3501 section 6.4.4 BODY/TEXT): every text/* (and unwalked message/*)
 * part, transfer-decoded and converted from its charset to UTF-8; nested message/rfc822 headers count as
 * body text. Other media types (images, PDFs, ...) are not searched, as in Dovecot without FTS.
 */
import { decodeCharset, decodeHeaderValue, decodeRfc2231, decodeTransfer } from './decode.ts';
import { parseHeaderBlock } from './header.ts';
import type { MimePart } from './types.ts';

/** Limit on decoded text per message fed to the matcher: bounds memory on huge text parts (64 MiB). */
export const MAX_SEARCH_TEXT = 64 * 1024 * 1024;

/** Value of a Content-Type parameter, RFC 2231 decoded. */
export function paramValue(part: MimePart, name: string): string | null {
  for (const [k, v] of part.params) if (k === name) return v;
  for (const [k, v] of part.params) if (k === name + '*') return decodeRfc2231(v);
  return null;
}

/** Decoded header lines of [start, end): "Name: value" per field, joined by newlines. */
export function headerText(raw: Buffer, start: number, end: number): string {
  return parseHeaderBlock(raw, start, end).fields.map((f) => `${f.name}: ${decodeHeaderValue(f.value)}`).join('\n');
}

/** Collect the decoded body text of a part tree (not its own header). */
export function bodyText(raw: Buffer, part: MimePart): string {
  const out: string[] = [];
  let total = 0;
  const walk = (p: MimePart): void => {
    if (total > MAX_SEARCH_TEXT) return;
    if (p.kind === 'multipart') {
      for (const c of p.children) walk(c);
    } else if (p.kind === 'message' && p.message !== null) {
      const inner = p.message.body;
      const t = headerText(raw, inner.headerStart, inner.bodyStart);
      out.push(t);
      total += t.length;
      walk(inner);
    } else if (p.type.toLowerCase() === 'text' || p.type.toLowerCase() === 'message') {
      // text/* and unwalked message/* bodies (message/global, parts past the nesting limit) hold text,
      // as Dovecot's search assumes too.
      const end = Math.min(p.bodyEnd, raw.length);
      const bytes = decodeTransfer(raw.subarray(Math.min(p.bodyStart, end), end), p.encoding ?? '7bit');
      const t = decodeCharset(bytes, paramValue(p, 'charset') ?? 'us-ascii');
      out.push(t);
      total += t.length;
    }
  };
  walk(part);
  return out.join('\n');
}
