/**
 * FETCH BODY and BODYSTRUCTURE (RFC 3501 section 7.4.2 and the body ABNF in section 9), matching Dovecot
 * 2.3 byte for byte on the fixture corpus: text/plain; charset=us-ascii for parts without Content-Type
 * (message/rfc822 inside multipart/digest), a charset added to text parts without parameters, encoding as
 * written ("7bit" when absent), sizes in octets of the encoded body, lines for text/* and message/rfc822,
 * and all extension data (MD5, disposition, language, location) when `extended`.
 */
import type { MimeParam, MimePart } from '../../message/types.ts';
import type { MessageMeta } from '../../message/types.ts';
import { run, type ImapValue } from '../protocol/values.ts';
import { envelopeFromFields } from './envelope.ts';
import { nstring } from './imap-string.ts';

function params(list: readonly MimeParam[]): ImapValue {
  if (list.length === 0) return null;
  const out: ImapValue[] = [];
  for (const [k, v] of list) out.push(nstring(k), nstring(v));
  return out;
}

/** Extension fields shared by single and multipart bodies: disposition, language, location. */
function common(p: MimePart): ImapValue[] {
  const disp = p.disposition === null ? null : [nstring(p.disposition.type), params(p.disposition.params)];
  const lang = p.language === null ? null : p.language.map(nstring);
  return [disp, lang, nstring(p.location)];
}

function partValue(p: MimePart, extended: boolean): ImapValue {
  const ltype = p.type.toLowerCase();
  if (p.kind === 'multipart') {
    const kids = p.children.length > 0
      ? p.children.map((c) => partValue(c, extended))
      // Dovecot shows a multipart without any part as holding one empty text/plain part.
      : [extended ? ['text', 'plain', ['charset', 'us-ascii'], null, null, '7bit', 0, 0, null, null, null, null]
        : ['text', 'plain', ['charset', 'us-ascii'], null, null, '7bit', 0, 0]];
    // RFC 3501 section 9 body-type-mpart = 1*body SP media-subtype: no SP between the child bodies.
    const out: ImapValue[] = [run(kids), nstring(p.subtype)];
    if (extended) out.push(params(p.params), ...common(p));
    return out;
  }
  // A multipart or message/rfc822 that was not walked (nesting limit, or its header ran into a delimiter)
  // has no children or encapsulated message to show: present it as application/octet-stream, as Dovecot
  // does, rather than as a message/rfc822 without the envelope and body the RFC 3501 grammar requires.
  if (p.kind === 'leaf' && (ltype === 'multipart' || (ltype === 'message' && p.subtype.toLowerCase() === 'rfc822'))) {
    return leafValue({ ...p, type: 'application', subtype: 'octet-stream' }, extended);
  }
  return leafValue(p, extended);
}

function leafValue(p: MimePart, extended: boolean): ImapValue {
  const ltype = p.type.toLowerCase();
  let ps = params(p.params);
  if (ltype === 'text' && !p.params.some(([k]) => k.toLowerCase() === 'charset')) {
    ps = [...(p.params.length === 0 ? [] : (ps as ImapValue[])), 'charset', 'us-ascii'];
  }
  const out: ImapValue[] = [
    nstring(p.type),
    nstring(p.subtype),
    ps,
    nstring(p.id),
    nstring(p.description),
    nstring(p.encoding ?? '7bit'),
    p.bodyEnd - p.bodyStart,
  ];
  if (p.kind === 'message' && p.message !== null) {
    out.push(envelopeFromFields(p.message.envelope), partValue(p.message.body, extended), p.lines);
  } else if (ltype === 'text') {
    out.push(p.lines);
  }
  if (extended) out.push(nstring(p.md5), ...common(p));
  return out;
}

/** BODYSTRUCTURE (`extended`) or BODY of a message. */
export function bodyStructureValue(meta: MessageMeta, extended: boolean): ImapValue {
  return partValue(meta.root, extended);
}
