/**
 * SPECIAL-USE and CREATE-SPECIAL-USE (RFC 6154). The stores keep each mailbox's special uses
 * (MailboxInfo.specialUse); LIST shows them (basic LIST always, extended LIST with the SPECIAL-USE return
 * option or selection option: commands/list.ts); CREATE sets them with `(USE (...))` (commands/create.ts).
 */
import type { ImapExtension } from '../server.ts';

/** SPECIAL-USE: the LIST selection and return options. */
export const specialUseExtension: ImapExtension = {
  name: 'SPECIAL-USE',
  capabilities: (conn) => (conn.state === 'notAuthenticated' ? [] : ['SPECIAL-USE']),
};

/** CREATE-SPECIAL-USE: the USE parameter of CREATE (\Archive, \Drafts, \Junk, \Sent, \Trash). */
export const createSpecialUseExtension: ImapExtension = {
  name: 'CREATE-SPECIAL-USE',
  capabilities: (conn) => (conn.state === 'notAuthenticated' ? [] : ['CREATE-SPECIAL-USE']),
};
