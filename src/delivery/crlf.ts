/** Line-ending normalization for delivered and imported messages. */

const LF = 0x0a;
const CR = 0x0d;

/**
 * Turn every bare LF into CRLF (RFC 5322 section 2.1: lines end in CRLF; stores keep bytes as given, so the
 * caller normalizes). Bare CRs are left alone, as Dovecot does. Returns the input itself when nothing changes.
 */
export function toCrlf(input: Buffer): Buffer {
  let bare = 0;
  for (let i = input.indexOf(LF); i !== -1; i = input.indexOf(LF, i + 1)) {
    if (i === 0 || input[i - 1] !== CR) bare++;
  }
  if (bare === 0) return input;
  const out = Buffer.allocUnsafe(input.length + bare);
  let o = 0;
  let start = 0;
  for (let i = input.indexOf(LF); i !== -1; i = input.indexOf(LF, i + 1)) {
    if (i === 0 || input[i - 1] !== CR) {
      o += input.copy(out, o, start, i);
      out[o++] = CR;
      out[o++] = LF;
      start = i + 1;
    }
  }
  input.copy(out, o, start);
  return out;
}

/**
 * Drop a leading mbox "From " envelope line, as dovecot-lda does for `mailbox_command` input (Postfix and
 * procmail may pass one). A header field is "From:" (colon), so "From " with a space is never a header.
 */
export function stripEnvelopeLine(input: Buffer): Buffer {
  if (input.length < 5 || input.toString('latin1', 0, 5) !== 'From ') return input;
  const end = input.indexOf(LF);
  return end === -1 ? Buffer.alloc(0) : input.subarray(end + 1);
}
