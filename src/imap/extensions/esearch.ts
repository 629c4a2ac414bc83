/** ESEARCH (RFC 4731): SEARCH RETURN (MIN MAX ALL COUNT) and the ESEARCH response (commands/search.ts). */
import type { ImapExtension } from '../server.ts';

/** The ESEARCH extension: the syntax lives in the SEARCH command, enabled by this capability. */
export const esearchExtension: ImapExtension = {
  name: 'ESEARCH',
  capabilities: (conn) => (conn.state === 'notAuthenticated' ? [] : ['ESEARCH']),
};
