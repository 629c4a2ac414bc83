/**
 * BINARY APPEND (RFC 3516 section 4.4): a literal8 message may carry parts with
 * Content-Transfer-Encoding: binary (NULs, bare CR/LF, long lines). The server "MAY modify the CTE of the
 * appended data, however any such transformation MUST NOT result in a loss of data", and BODYSTRUCTURE and
 * FETCH BODY must describe and return such parts in a CTE acceptable to IMAP4 (section 6). As Dovecot does
 * on APPEND, each leaf part declared `binary` is re-encoded as base64 (lossless; BINARY[] FETCH decodes it
 * back to the exact bytes) and everything else is left byte for byte as sent, so signatures over other
 * parts stay valid.
 */
import { parseMessage, type MimePart } from '../../message/index.ts';

/** base64 line length (RFC 2045 section 6.8: at most 76 characters). */
const BASE64_LINE = 76;

/** Leaf parts whose declared CTE is `binary`, in document order. */
function binaryLeaves(part: MimePart, out: MimePart[]): MimePart[] {
  if (part.kind === 'multipart') for (const child of part.children) binaryLeaves(child, out);
  else if (part.kind === 'message' && part.message) binaryLeaves(part.message.body, out);
  else if (part.kind === 'leaf' && part.encoding?.trim().toLowerCase() === 'binary') out.push(part);
  return out;
}

/** The header block [start, end) with its Content-Transfer-Encoding field(s) replaced by `base64`. */
function rewriteHeader(raw: Buffer, start: number, end: number): Buffer {
  const out: Buffer[] = [];
  let replaced = false;
  let pos = start;
  while (pos < end) {
    // One field: its first line and any continuation lines (starting with SP or HTAB).
    let next = pos;
    do {
      const lf = raw.indexOf(0x0a, next);
      next = lf < 0 || lf >= end ? end : lf + 1;
    } while (next < end && (raw[next] === 0x20 || raw[next] === 0x09));
    const field = raw.subarray(pos, next);
    const colon = field.indexOf(0x3a);
    const name = colon > 0 ? field.toString('latin1', 0, colon).trim().toLowerCase() : '';
    if (name === 'content-transfer-encoding') {
      if (!replaced) out.push(Buffer.from('Content-Transfer-Encoding: base64\r\n'));
      replaced = true;
    } else {
      out.push(field);
    }
    pos = next;
  }
  return Buffer.concat(out);
}

/** base64 in CRLF-terminated lines. */
function base64Lines(bytes: Buffer): Buffer {
  const text = bytes.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += BASE64_LINE) lines.push(text.slice(i, i + BASE64_LINE));
  return Buffer.from(lines.join('\r\n') + (lines.length > 0 ? '\r\n' : ''), 'latin1');
}

/**
 * The message with every `binary` leaf part re-encoded as base64; the input itself when there is none.
 * The part's body ends before the CRLF that precedes the next boundary, which stays in place.
 */
export function encodeBinaryParts(raw: Buffer): Buffer {
  const leaves = binaryLeaves(parseMessage(raw).root, []);
  if (leaves.length === 0) return raw;
  const out: Buffer[] = [];
  let pos = 0;
  for (const part of leaves) {
    out.push(raw.subarray(pos, part.headerStart));
    out.push(rewriteHeader(raw, part.headerStart, part.bodyStart));
    let encoded = base64Lines(raw.subarray(part.bodyStart, part.bodyEnd));
    // The boundary delimiter's own CRLF follows bodyEnd: drop our final CRLF to avoid an empty line.
    if (part.bodyEnd < raw.length && encoded.length >= 2) encoded = encoded.subarray(0, encoded.length - 2);
    out.push(encoded);
    pos = part.bodyEnd;
  }
  out.push(raw.subarray(pos));
  return Buffer.concat(out);
}
