/**
 * The IMAP side of section fetches. Locating sections is the message module's job (src/message
 * sections.ts: planSection, planBinary, filterHeaderFields, checked against Dovecot on the whole corpus);
 * this file keeps what only the IMAP wire needs: the spec conversion, the partial window and the NUL rule.
 */
import type { SectionSpec } from '../../message/index.ts';
import type { PartialRange, SectionRef } from './plan.ts';

/** The message module's SectionSpec for a parsed `section` (RFC 3501 section 6.4.5). */
export function sectionSpecOf(section: SectionRef): SectionSpec {
  const text = section.text;
  if (text === null) return { part: section.part, specifier: null };
  switch (text.kind) {
    case 'header':
      return { part: section.part, specifier: 'HEADER' };
    case 'text':
      return { part: section.part, specifier: 'TEXT' };
    case 'mime':
      return { part: section.part, specifier: 'MIME' };
    case 'headerFields':
      return { part: section.part, specifier: text.not ? 'HEADER.FIELDS.NOT' : 'HEADER.FIELDS', fields: text.fields };
  }
}

/** The [start, end) window a partial fetch selects from data of `length` octets (RFC 3501 section 6.4.5). */
export function partialWindow(length: number, partial: PartialRange | null): { start: number; end: number } {
  if (partial === null) return { start: 0, end: length };
  // An origin past the end gives an empty string; a count past the end is truncated.
  const start = Math.min(partial.origin, length);
  const end = Math.min(partial.origin + partial.count, length);
  return { start, end };
}

/** A transfer encoding the server cannot decode: FETCH BINARY answers NO [UNKNOWN-CTE] (RFC 3516 section 4.3). */
export class UnknownCteError extends Error {
  override readonly name = 'UnknownCteError';
}

/**
 * A literal cannot carry NUL (RFC 3501 section 9: CHAR8 is %x01-ff), so NUL octets of message data are
 * sent as 0x80, as Dovecot does; the length does not change. BINARY uses literal8 instead.
 */
export function replaceNul(data: Buffer): Buffer {
  let i = data.indexOf(0);
  if (i < 0) return data;
  const copy = Buffer.from(data);
  for (; i >= 0; i = copy.indexOf(0, i + 1)) copy[i] = 0x80;
  return copy;
}
