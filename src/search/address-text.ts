/** Structured header text for search: decoded addresses, and decoded MIME parameters (RFC 2231, RFC 2047). */
import { parseAddressList } from '../message/address.ts';
import { decodeHeaderValue, decodeRfc2231 } from '../message/decode.ts';
import { parseContentType, parseDisposition } from '../message/params.ts';

/** "name <mailbox@host>" per address, names RFC 2047 decoded, joined by ", ". */
export function addressSearchText(raw: string): string {
  return parseAddressList(raw)
    .filter((a) => a.host !== null || a.name !== null)
    .map((a) => {
      const addr = a.mailbox !== null ? (a.host !== null ? `${a.mailbox}@${a.host}` : a.mailbox) : '';
      const name = a.name !== null ? decodeHeaderValue(a.name) : '';
      return name !== '' ? `${name} <${addr}>` : addr;
    })
    .join(', ');
}

/**
 * Content-Type / Content-Disposition text with parameter values decoded: RFC 2231 `name*` values from
 * their charset, RFC 2047 words inside quoted values (common from Outlook), so `HEADER Content-Disposition
 * résumé` finds `filename*=iso-8859-1''r%E9sum%E9.pdf`.
 */
export function paramSearchText(field: string, raw: string): string {
  const parsed = field === 'content-type' ? parseContentType(raw) : field === 'content-disposition' ? parseDisposition(raw) : null;
  if (parsed === null) return '';
  return parsed.params
    .map(([k, v]) => (k.endsWith('*') ? `${k.slice(0, -1)}=${decodeRfc2231(v)}` : `${k}=${decodeHeaderValue(v)}`))
    .join('; ');
}
