/**
 * The response encoder: every byte the server sends is built here (RFC 3501 section 7), values through
 * renderValue so one place decides atom, quoted string or literal. Chainable:
 *
 *   new ResponseEncoder().untagged().number(3).sp().atom('EXISTS').crlf().toBuffer()
 *   new ResponseEncoder().tagged('a1').status('NO', 'No such mailbox', { name: 'NONEXISTENT' }).toBuffer()
 */
import type { ResponseCode, StatusKind } from '../commands/types.ts';
import type { ImapValue } from '../protocol/values.ts';
import { encodeValue, type ValueEncodingOptions } from './value-encoder.ts';

const SP = Buffer.from(' ');
const CRLF = Buffer.from('\r\n');
const STAR = Buffer.from('* ');
const PLUS = Buffer.from('+ ');

/** Human-readable text of a status response: TEXT-CHARs only (no CR, LF, NUL), never empty. */
export function sanitizeText(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean.length > 0 ? clean : 'OK';
}

/** Builds one or more response lines into Buffers. */
export class ResponseEncoder {
  private readonly parts: Buffer[] = [];

  constructor(private readonly options: ValueEncodingOptions = {}) {}

  /** `* ` */
  untagged(): this {
    this.parts.push(STAR);
    return this;
  }

  /** `tag ` */
  tagged(tag: string): this {
    this.parts.push(Buffer.from(tag + ' ', 'latin1'));
    return this;
  }

  /** `+ ` */
  continuation(): this {
    this.parts.push(PLUS);
    return this;
  }

  /** An atom written as is (the caller guarantees atom syntax). */
  atom(text: string): this {
    this.parts.push(Buffer.from(text, 'latin1'));
    return this;
  }

  /** A number. */
  number(n: number): this {
    this.parts.push(Buffer.from(String(n)));
    return this;
  }

  /** One SP. */
  sp(): this {
    this.parts.push(SP);
    return this;
  }

  /** Any ImapValue (string quoted or literal as needed). */
  value(value: ImapValue): this {
    encodeValue(value, this.parts, this.options);
    return this;
  }

  /** Values separated by SP. */
  values(...values: readonly ImapValue[]): this {
    values.forEach((v, i) => {
      if (i > 0) this.parts.push(SP);
      encodeValue(v, this.parts, this.options);
    });
    return this;
  }

  /** `[NAME args]` followed by SP. */
  code(code: ResponseCode): this {
    this.parts.push(Buffer.from('[' + code.name, 'latin1'));
    for (const arg of code.args ?? []) {
      this.parts.push(SP);
      encodeValue(arg, this.parts, this.options);
    }
    this.parts.push(Buffer.from('] '));
    return this;
  }

  /** Human-readable text (sanitized). */
  text(text: string): this {
    this.parts.push(Buffer.from(sanitizeText(text), 'utf8'));
    return this;
  }

  /** `KIND [code] text` CRLF, after untagged() or tagged(). */
  status(kind: StatusKind | 'BYE' | 'PREAUTH', text: string, code?: ResponseCode): this {
    this.atom(kind).sp();
    if (code) this.code(code);
    return this.text(text).crlf();
  }

  /** Pre-encoded bytes. */
  raw(bytes: Buffer): this {
    this.parts.push(bytes);
    return this;
  }

  /** End of line. */
  crlf(): this {
    this.parts.push(CRLF);
    return this;
  }

  /** Everything built so far as one Buffer. */
  toBuffer(): Buffer {
    return this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
  }
}

/** `* v1 v2 ...` CRLF. */
export function encodeUntagged(values: readonly ImapValue[], options: ValueEncodingOptions = {}): Buffer {
  return new ResponseEncoder(options).untagged().values(...values).crlf().toBuffer();
}

/** `tag KIND [code] text` CRLF, or untagged with tag `*` / null. */
export function encodeStatus(
  tag: string | null,
  kind: StatusKind | 'BYE' | 'PREAUTH',
  text: string,
  code?: ResponseCode,
  options: ValueEncodingOptions = {},
): Buffer {
  const enc = new ResponseEncoder(options);
  if (tag === null || tag === '*') enc.untagged();
  else enc.tagged(tag);
  return enc.status(kind, text, code).toBuffer();
}

/** `+ text` CRLF (text may be base64 for SASL; an empty challenge is `+ ` per RFC 3501 7.5). */
export function encodeContinuation(text: string): Buffer {
  const enc = new ResponseEncoder().continuation();
  if (text.length > 0) enc.atom(sanitizeText(text));
  return enc.crlf().toBuffer();
}
