/** Address header text for FROM/TO/CC/BCC search: decoded display names and `mailbox@host` forms. */
import { parseAddressList } from '../message/address.ts';
import { decodeHeaderValue } from '../message/decode.ts';

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
