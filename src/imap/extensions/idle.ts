/** IDLE (RFC 2177): advertised in every state (Dovecot does too), usable once authenticated. */
import { idleCommand } from '../commands/idle.ts';
import type { ImapExtension } from '../server.ts';

/** The IDLE extension. */
export const idleExtension: ImapExtension = {
  name: 'IDLE',
  capabilities: () => ['IDLE'],
  commands: [idleCommand],
};
