/** LIST-STATUS (RFC 5819): `LIST ... RETURN (STATUS (items))` (commands/list.ts). Needs LIST-EXTENDED. */
import type { ImapExtension } from '../server.ts';

/** The LIST-STATUS extension. */
export const listStatusExtension: ImapExtension = {
  name: 'LIST-STATUS',
  capabilities: (conn) => (conn.state === 'notAuthenticated' ? [] : ['LIST-STATUS']),
};
