/** WITHIN (RFC 5032): the OLDER and YOUNGER search keys (commands/search-keys.ts, src/search evaluator). */
import type { ImapExtension } from '../server.ts';

/** The WITHIN extension. */
export const withinExtension: ImapExtension = {
  name: 'WITHIN',
  capabilities: (conn) => (conn.state === 'notAuthenticated' ? [] : ['WITHIN']),
};
