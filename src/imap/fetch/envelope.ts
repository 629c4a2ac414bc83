/**
 * FETCH ENVELOPE (RFC 3501 section 7.4.2, RFC 9051 section 7.5.2), matching Dovecot 2.3 byte for byte on
 * the fixture corpus: header values unfolded (CR and LF removed, the folding whitespace kept), RFC 2047
 * words left encoded, sender and reply-to defaulting to from, group syntax as (NIL NIL name NIL) ...
 * (NIL NIL NIL NIL).
 */
import { parseAddressList } from '../../message/address.ts';
import type { EnvelopeFields, MessageMeta } from '../../message/types.ts';
import { run, type ImapValue } from '../protocol/values.ts';
import { humanString, nstring } from './imap-string.ts';

/** Placeholder local part for an address without one (Dovecot's value). */
export const MISSING_MAILBOX = 'MISSING_MAILBOX';
/** Placeholder domain for an address without one (Dovecot's value). */
export const MISSING_DOMAIN = 'MISSING_DOMAIN';

/** Placeholder domain for an address cut short by a syntax error (Dovecot's value). */
export const SYNTAX_ERROR = 'SYNTAX_ERROR';

/** A header value for ENVELOPE: CR and LF removed (Dovecot's imap_append_nstring_nolf). */
function text(raw: string | null): ImapValue {
  if (raw === null) return null;
  return nstring(raw.replace(/[\r\n]/g, ''));
}

/** An address list, or NIL when the header is absent or holds no address. */
function addresses(raw: string | null): ImapValue {
  if (raw === null) return null;
  const list = parseAddressList(raw);
  if (list.length === 0) return null;
  // RFC 3501 env-from etc. are `"(" 1*address ")"`: addresses follow each other with no space.
  return [run(list.map((a): ImapValue => {
    if (a.group !== undefined) return [null, null, nstring(a.mailbox), null];
    // Like Dovecot, a mailbox without local part or domain is shown with placeholders so that clients
    // that require both (RFC 3501 addr-mailbox / addr-host) do not choke.
    return [
      a.name === null ? null : humanString(a.name),
      nstring(a.adl),
      nstring(a.mailbox ?? MISSING_MAILBOX),
      nstring(a.syntaxError === true ? SYNTAX_ERROR : a.host ?? MISSING_DOMAIN),
    ];
  }))];
}

/** ENVELOPE of a header's fields (also used for nested message/rfc822 parts). */
export function envelopeFromFields(f: EnvelopeFields): ImapValue {
  const from = addresses(f.from);
  // RFC 3501 section 7.4.2: absent or empty Sender/Reply-To take the value of From.
  const sender = addresses(f.sender) ?? from;
  const replyTo = addresses(f.replyTo) ?? from;
  return [
    text(f.date),
    f.subject === null ? null : humanString(f.subject),
    from,
    sender,
    replyTo,
    addresses(f.to),
    addresses(f.cc),
    addresses(f.bcc),
    text(f.inReplyTo),
    text(f.messageId),
  ];
}

/** The ENVELOPE value of a message. */
export function envelopeValue(meta: MessageMeta): ImapValue {
  return envelopeFromFields(meta.envelope);
}
