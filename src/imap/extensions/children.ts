/**
 * CHILDREN (RFC 3348): every LIST response carries \HasChildren or \HasNoChildren (commands/list.ts; the
 * extended LIST gives them with RETURN (CHILDREN), RFC 5258 section 4).
 */
import type { ImapExtension } from '../server.ts';

/** The CHILDREN extension (behaviour lives in commands/list.ts). */
export const childrenExtension: ImapExtension = {
  name: 'CHILDREN',
  capabilities: (conn) => (conn.state === 'notAuthenticated' ? [] : ['CHILDREN']),
};
