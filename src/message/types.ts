/**
 * The parse-once metadata record (issue 2). Stores treat it as opaque: they save `encodeMeta(meta)` beside
 * the message bytes at append and give back `decodeMeta(bytes)` on read. Everything ENVELOPE, BODY,
 * BODYSTRUCTURE, RFC822.SIZE, section offsets and header searches need is here, so FETCH never re-parses.
 *
 * Header-derived strings are "binary strings": one JS char per octet (latin1), because headers may carry
 * 8-bit text in any charset and IMAP must echo those octets unchanged (RFC 3501 section 7.4.2).
 */

/** A Content-Type / Content-Disposition parameter: [name, value], as Dovecot presents them. */
export type MimeParam = readonly [name: string, value: string];

/** Content-Disposition (RFC 2183). */
export interface MimeDisposition {
  readonly type: string;
  readonly params: readonly MimeParam[];
}

/**
 * The raw header values ENVELOPE is built from (RFC 3501 section 7.4.2), binary strings exactly as in the
 * header (folding included), null when the field is absent. Rendering lives in imap/fetch/envelope.ts.
 */
export interface EnvelopeFields {
  readonly date: string | null;
  readonly subject: string | null;
  readonly from: string | null;
  readonly sender: string | null;
  readonly replyTo: string | null;
  readonly to: string | null;
  readonly cc: string | null;
  readonly bcc: string | null;
  readonly inReplyTo: string | null;
  readonly messageId: string | null;
}

/** How a part's body is structured. */
export type MimePartKind = 'leaf' | 'multipart' | 'message';

/**
 * One MIME entity with its byte offsets in the raw message. The header block is [headerStart, headerEnd)
 * and includes the blank line that ends it (RFC 3501 section 6.4.5 HEADER/MIME); the body is
 * [bodyStart, bodyEnd). headerEnd always equals bodyStart. For a multipart body, the CRLF before each
 * boundary line belongs to the boundary (RFC 2046 section 5.1.1), so children end before it.
 */
export interface MimePart {
  readonly headerStart: number;
  readonly headerEnd: number;
  readonly bodyStart: number;
  readonly bodyEnd: number;
  readonly kind: MimePartKind;
  /** Media type and subtype as written (or the RFC 2045/2046 default), not case-folded. */
  readonly type: string;
  readonly subtype: string;
  /** True when the part had a usable Content-Type header (false: the default type applies). */
  readonly explicitType: boolean;
  readonly params: readonly MimeParam[];
  readonly id: string | null;
  readonly description: string | null;
  /** Content-Transfer-Encoding as written, null when absent (7bit then applies). */
  readonly encoding: string | null;
  readonly md5: string | null;
  readonly disposition: MimeDisposition | null;
  readonly language: readonly string[] | null;
  readonly location: string | null;
  /** Number of lines in the body (BODYSTRUCTURE body-fld-lines). */
  readonly lines: number;
  /** Children of a multipart (empty otherwise). */
  readonly children: readonly MimePart[];
  /** The encapsulated message of a message/rfc822 or message/global part. */
  readonly message: { readonly envelope: EnvelopeFields; readonly body: MimePart } | null;
}

/** The record a store keeps for one message. */
export interface MessageMeta {
  /** Format version, so that stored records can be migrated. */
  readonly version: number;
  /** Size of the message in octets (RFC822.SIZE). */
  readonly size: number;
  /** The top-level header block, blank line included: HEADER.FIELDS and SEARCH HEADER read it. */
  readonly header: Buffer;
  /** Top-level ENVELOPE source fields. */
  readonly envelope: EnvelopeFields;
  /** The MIME tree; root.headerStart is 0 and root.bodyEnd is `size`. */
  readonly root: MimePart;
}
