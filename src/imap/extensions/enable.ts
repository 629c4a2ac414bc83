/**
 * ENABLE (RFC 5161). The command is generic; what can be enabled comes from other extensions'
 * `enableable` names (IMAP4rev2 from ./imap4rev2.ts).
 */
import { enableCommand } from '../commands/enable.ts';
import type { ImapExtension } from '../server.ts';

/** The ENABLE extension. */
export const enableExtension: ImapExtension = {
  name: 'ENABLE',
  capabilities: () => ['ENABLE'],
  commands: [enableCommand],
};
