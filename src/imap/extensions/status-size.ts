/** STATUS=SIZE (RFC 8438): the SIZE status item, in STATUS and LIST-STATUS (commands/status-items.ts). */
import type { ImapExtension } from '../server.ts';

/** The STATUS=SIZE extension. */
export const statusSizeExtension: ImapExtension = {
  name: 'STATUS=SIZE',
  capabilities: (conn) => (conn.state === 'notAuthenticated' ? [] : ['STATUS=SIZE']),
};
