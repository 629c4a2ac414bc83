/**
 * MULTIAPPEND (RFC 3502): several messages in one APPEND, all or nothing (commands/append.ts; the store
 * contract's User.append takes a list and is atomic).
 */
import type { ImapExtension } from '../server.ts';

/** The MULTIAPPEND extension. */
export const multiappendExtension: ImapExtension = {
  name: 'MULTIAPPEND',
  capabilities: (conn) => (conn.state === 'notAuthenticated' ? [] : ['MULTIAPPEND']),
};
