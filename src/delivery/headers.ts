/**
 * The trace header lines a local delivery prepends, in the form and order Dovecot's LMTP writes them
 * (src/lmtp/lmtp-local.c, lmtp_local_add_headers): `Return-Path: <sender>` then `Delivered-To: address`
 * (no angle brackets; the RCPT TO address as given, detail included: lmtp_hdr_delivery_address = final).
 * RFC 5321 section 4.4: Return-Path is added by the final delivery and carries the envelope sender, `<>` for
 * the null sender of bounces.
 *
 * Two deliberate differences: Dovecot writes Delivered-To only when a transaction has a single recipient
 * (its header block is shared by all of them), Mailroom writes it for every recipient because each copy
 * gets its own prefix anyway (meta-shift.ts); and Dovecot's additional `Received:` line is not added.
 */

/** Characters that must never reach a header line: they would split it (header injection). */
const CONTROL = /[\u0000-\u001f\u007f]/g;

function clean(address: string): string {
  let value = address.replace(CONTROL, '').trim();
  if (value.startsWith('<') && value.endsWith('>')) value = value.slice(1, -1).trim();
  return value;
}

/** What to prepend for one recipient. */
export interface TraceHeaders {
  /** Envelope sender (MAIL FROM); '' is the null sender. Undefined: no Return-Path line. */
  readonly envelopeFrom?: string;
  /** The recipient as given in RCPT TO (Dovecot's lmtp_hdr_delivery_address = final). */
  readonly deliveredTo?: string;
}

/** The header lines to prepend, CRLF-terminated; an empty Buffer when there is nothing to add. */
export function traceHeaderBytes(headers: TraceHeaders): Buffer {
  let text = '';
  if (headers.envelopeFrom !== undefined) text += `Return-Path: <${clean(headers.envelopeFrom)}>\r\n`;
  if (headers.deliveredTo !== undefined && clean(headers.deliveredTo) !== '') {
    text += `Delivered-To: ${clean(headers.deliveredTo)}\r\n`;
  }
  return Buffer.from(text, 'utf8');
}
