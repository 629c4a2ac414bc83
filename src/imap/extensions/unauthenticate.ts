/**
 * UNAUTHENTICATE (RFC 8437): advertised only once authenticated (section 3 allows that, and the command
 * is meaningless before).
 */
import { unauthenticateCommand } from '../commands/unauthenticate.ts';
import type { ImapExtension } from '../server.ts';

/** The UNAUTHENTICATE extension. */
export const unauthenticateExtension: ImapExtension = {
  name: 'UNAUTHENTICATE',
  capabilities: (conn) => (conn.state === 'notAuthenticated' ? [] : ['UNAUTHENTICATE']),
  commands: [unauthenticateCommand],
};
