/**
 * Streaming transfer decoding for BINARY of large parts (RFC 3516): a 50 MB base64 attachment is decoded
 * chunk by chunk, never held whole. The output equals message/decode.ts decodeTransfer() on the whole
 * input, which the small-part path uses.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { decodeTransfer } from '../../message/decode.ts';

/**
 * Longest QP input held back while looking for a line end. QP lines are at most 76 octets (RFC 2045
 * section 6.7); past this, a hostile single-line part is split where no escape can straddle the cut.
 */
export const QP_MAX_CARRY = 64 * 1024;

function isB64(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2b || b === 0x2f;
}

/** base64: alphabet characters only (like decodeTransfer), decoded four at a time. */
class Base64Decoder extends Transform {
  private carry = '';

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let text = this.carry;
    const kept = Buffer.allocUnsafe(chunk.length);
    let n = 0;
    for (const b of chunk) if (isB64(b)) kept[n++] = b;
    text += kept.toString('latin1', 0, n);
    const usable = text.length - (text.length % 4);
    this.carry = text.slice(usable);
    done(null, usable > 0 ? Buffer.from(text.slice(0, usable), 'base64') : undefined);
  }

  override _flush(done: TransformCallback): void {
    done(null, this.carry.length > 0 ? Buffer.from(this.carry, 'base64') : undefined);
  }
}

/** quoted-printable: whole lines are decoded with decodeTransfer; the unfinished last line waits. */
class QuotedPrintableDecoder extends Transform {
  private carry: Buffer = Buffer.alloc(0);

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    let cut = hardLineEnd(data);
    if (cut === 0 && data.length > QP_MAX_CARRY) cut = safeCut(data);
    this.carry = Buffer.from(data.subarray(cut));
    done(null, cut > 0 ? decodeTransfer(data.subarray(0, cut), 'quoted-printable') : undefined);
  }

  override _flush(done: TransformCallback): void {
    done(null, this.carry.length > 0 ? decodeTransfer(this.carry, 'quoted-printable') : undefined);
  }
}

/**
 * Offset just past the last line end that is not a soft line break ("=" [WSP] CRLF): the decoder joins
 * soft-broken lines before it decodes escapes, so the cut must not fall inside such a join. 0 when none.
 */
function hardLineEnd(data: Buffer): number {
  for (let lf = data.lastIndexOf(0x0a); lf >= 0; lf = lf > 0 ? data.lastIndexOf(0x0a, lf - 1) : -1) {
    let i = lf - 1;
    if (i >= 0 && data[i] === 0x0d) i--;
    while (i >= 0 && (data[i] === 0x20 || data[i] === 0x09)) i--;
    if (i < 0 || data[i] !== 0x3d) return lf + 1;
  }
  return 0;
}

/** A cut inside a long line that splits neither an "=XX" escape nor trailing whitespace. */
function safeCut(data: Buffer): number {
  let i = data.length - 3;
  while (i > 0 && (data[i - 1] === 0x3d || data[i - 2] === 0x3d || data[i - 1] === 0x20 || data[i - 1] === 0x09)) i--;
  return Math.max(i, 0);
}

/** A Transform removing `encoding` (7bit/8bit/binary pass through). The caller checked isKnownTransfer. */
export function transferDecoderStream(encoding: string): Transform {
  switch (encoding.toLowerCase()) {
    case 'base64':
      return new Base64Decoder();
    case 'quoted-printable':
      return new QuotedPrintableDecoder();
    default:
      return new Transform({
        transform(chunk: Buffer, _enc, done) {
          done(null, chunk);
        },
      });
  }
}

/** Passes through bytes [start, end) of the stream and drops the rest. */
export function sliceStream(start: number, end: number): Transform {
  let pos = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const from = Math.max(start - pos, 0);
      const to = Math.min(end - pos, chunk.length);
      pos += chunk.length;
      done(null, to > from ? chunk.subarray(from, to) : undefined);
    },
  });
}
