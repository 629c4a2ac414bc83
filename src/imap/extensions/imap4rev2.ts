/**
 * IMAP4rev2 (RFC 9051) beside IMAP4rev1: advertised as a capability and ENABLE-able (section 6.3.1). Once
 * a client sends `ENABLE IMAP4rev2`, the session and the commands switch every behaviour RFC 9051
 * appendix E lists (the session: no \Recent/RECENT, UID in unsolicited FETCH, UTF-8 mailbox names; the
 * commands check `ctx.enabled.has('IMAP4REV2')`).
 *
 * RFC 9051 folds ENABLE, IDLE, NAMESPACE and UNSELECT into the base protocol (appendix E item 2), so this
 * extension brings their commands itself: a server configured with IMAP4rev2 but without those extensions
 * still has them (their capability names are then not advertised, which rev2 clients do not need).
 */
import { enableCommand } from '../commands/enable.ts';
import { idleCommand } from '../commands/idle.ts';
import { namespaceCommand } from '../commands/namespace.ts';
import { unselectCommand } from '../commands/unselect.ts';
import type { ImapExtension } from '../server.ts';

/** The IMAP4rev2 extension. */
export const imap4rev2Extension: ImapExtension = {
  name: 'IMAP4rev2',
  capabilities: () => ['IMAP4rev2'],
  enableable: ['IMAP4rev2'],
  commands: [enableCommand, idleCommand, namespaceCommand, unselectCommand],
};
