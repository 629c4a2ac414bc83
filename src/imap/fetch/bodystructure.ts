/**
 * FETCH BODY and BODYSTRUCTURE (RFC 3501 section 7.4.2 and the body ABNF in section 9), matching Dovecot
 * 2.3 byte for byte on the fixture corpus: text/plain; charset=us-ascii for parts without Content-Type
 * (message/rfc822 inside multipart/digest), a charset added to text parts without parameters, encoding as
 * written ("7bit" when absent), sizes in octets of the encoded body, lines for text/* and message/rfc822,
 * and all extension data (MD5, disposition, language, location) when `extended`.
 */
import type { MimeParam, MimePart } from '../../message/types.ts';
import type { MessageMeta } from '../../message/types.ts';
import { atom } from '../protocol/values.ts';
import type { ImapValue } from '../protocol/values.ts';
import { renderValue } from '../wire/value-encoder.ts';
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
  const lang = p.language === null ? null : p.language.length === 1 ? nstring(p.language[0]) : p.language.map(nstring);
  return [disp, lang, nstring(p.location)];
}

/**
 * RFC 3501 body-type-mpart is `1*body SP media-subtype`: the child bodies follow each other with no space.
 * The value encoder separates list items with SP, so the children are pre-rendered into one atom when that
 * is lossless (the rendering is valid UTF-8, which the encoder writes back unchanged). Otherwise they stay
 * separate items (still parsed by common clients, but not byte-exact).
 */
function children(values: ImapValue[]): ImapValue[] {
  const bytes = Buffer.concat(values.map((v) => renderValue(v)));
  const text = bytes.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(bytes)) return [atom(text)];
  return values;
}

function partValue(p: MimePart, extended: boolean): ImapValue {
  const ltype = p.type.toLowerCase();
  if (p.kind === 'multipart') {
    const kids = p.children.length > 0
      ? p.children.map((c) => partValue(c, extended))
      // Dovecot shows a multipart without any part as holding one empty text/plain part.
      : [extended ? ['text', 'plain', ['charset', 'us-ascii'], null, null, '7bit', 0, 0, null, null, null, null]
        : ['text', 'plain', ['charset', 'us-ascii'], null, null, '7bit', 0, 0]];
    const out: ImapValue[] = [...children(kids), nstring(p.subtype)];
    if (extended) out.push(params(p.params), ...common(p));
    return out;
  }
  let ps = params(p.params);
  if (ltype === 'text' && !p.params.some(([k]) => k === 'charset')) {
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
