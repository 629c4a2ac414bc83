/**
 * Flags an mbox keeps in the message header, as mutt, Thunderbird and Dovecot's mbox driver write them:
 * `Status:` (R read, O old) and `X-Status:` (A answered, F flagged, T draft, D deleted), the convention of
 * Dovecot's mbox format (doc: "mbox" MailboxFormat, Status/X-Status), and Thunderbird's `X-Mozilla-Status:`
 * hex bit field (0x1 read, 0x2 replied, 0x4 marked, 0x8 expunged). The headers stay in the message bytes:
 * the store keeps what it is given.
 */
import { firstField } from '../message/index.ts';
import type { HeaderField } from '../message/index.ts';

const STATUS_LETTERS: Readonly<Record<string, string>> = { R: '\\Seen' };
const X_STATUS_LETTERS: Readonly<Record<string, string>> = { A: '\\Answered', F: '\\Flagged', T: '\\Draft', D: '\\Deleted' };
const MOZILLA_BITS: readonly (readonly [number, string])[] = [
  [0x1, '\\Seen'],
  [0x2, '\\Answered'],
  [0x4, '\\Flagged'],
  [0x8, '\\Deleted'],
];

/** The IMAP flags recorded in an mbox message's header fields. */
export function mboxHeaderFlags(fields: readonly HeaderField[]): string[] {
  const flags = new Set<string>();
  const letters = (name: string, table: Readonly<Record<string, string>>): void => {
    const value = firstField(fields, name);
    if (value === null) return;
    for (const c of value.trim()) {
      const flag = table[c];
      if (flag !== undefined) flags.add(flag);
    }
  };
  letters('status', STATUS_LETTERS);
  letters('x-status', X_STATUS_LETTERS);
  const mozilla = firstField(fields, 'x-mozilla-status');
  if (mozilla !== null && /^\s*[0-9a-f]{1,8}\s*$/i.test(mozilla)) {
    const bits = parseInt(mozilla.trim(), 16);
    for (const [bit, flag] of MOZILLA_BITS) if ((bits & bit) !== 0) flags.add(flag);
  }
  return [...flags];
}
