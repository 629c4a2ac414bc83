/**
 * IMAP4rev2 (RFC 9051) beside IMAP4rev1: advertised as a capability and ENABLE-able (section 6.3.1). Once
 * a client sends `ENABLE IMAP4rev2`, the session and the commands switch every behaviour RFC 9051
 * appendix E lists (the session: no \Recent/RECENT, UTF-8 mailbox names; the commands check
 * `ctx.enabled.has('IMAP4REV2')`).
 */
import type { ImapExtension } from '../server.ts';

/** The IMAP4rev2 extension. */
export const imap4rev2Extension: ImapExtension = {
  name: 'IMAP4rev2',
  capabilities: () => ['IMAP4rev2'],
  enableable: ['IMAP4rev2'],
};
