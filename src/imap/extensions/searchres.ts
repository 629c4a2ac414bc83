/**
 * SEARCHRES (RFC 5182): SEARCH RETURN (SAVE) and the `$` marker in FETCH, STORE, COPY, MOVE, SEARCH and
 * UID EXPUNGE. A server offering SEARCHRES MUST implement ESEARCH (section 2.1), so it is advertised
 * together with the ESEARCH extension only.
 */
import type { ImapExtension } from '../server.ts';

/** The SEARCHRES extension (use with esearchExtension). */
export const searchresExtension: ImapExtension = {
  name: 'SEARCHRES',
  capabilities: (conn) => (conn.state === 'notAuthenticated' ? [] : ['SEARCHRES']),
};
