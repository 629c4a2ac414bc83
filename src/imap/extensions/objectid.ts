/**
 * OBJECTID (RFC 8474). Both halves are in the commands and are switched on by this capability:
 * MAILBOXID in CREATE, SELECT/EXAMINE and STATUS (engineer B: create.ts, select.ts, status-items.ts) and
 * EMAILID / THREADID as FETCH items and SEARCH keys (fetch/plan.ts, fetch/execute.ts, search-keys.ts).
 * Every store keeps the three ids (MailboxInfo.id, MessageRecord.emailId / threadId).
 */
import type { ImapExtension } from '../server.ts';

/** The OBJECTID extension: advertises OBJECTID after login. */
export const objectidExtension: ImapExtension = {
  name: 'OBJECTID',
  capabilities: (conn) => (conn.state === 'notAuthenticated' ? [] : ['OBJECTID']),
};
