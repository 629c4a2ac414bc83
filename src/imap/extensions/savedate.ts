/**
 * SAVEDATE (RFC 8514): FETCH SAVEDATE and SEARCH SAVEDBEFORE / SAVEDON / SAVEDSINCE / SAVEDATESUPPORTED.
 * Every store keeps a save date (MessageRecord.saveDate, set when a message enters a mailbox, including
 * by COPY and MOVE), so SAVEDATE is never NIL.
 */
import type { ImapExtension } from '../server.ts';

/** The SAVEDATE extension. */
export const savedateExtension: ImapExtension = {
  name: 'SAVEDATE',
  capabilities: (conn) => (conn.state === 'notAuthenticated' ? [] : ['SAVEDATE']),
};
