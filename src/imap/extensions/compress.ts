/**
 * COMPRESS=DEFLATE (RFC 4978): advertised once authenticated (the command's states) and only while no
 * compression layer is active, as Dovecot does.
 */
import { compressCommand } from '../commands/compress.ts';
import type { ImapExtension } from '../server.ts';
import { deflateUpgrader } from '../session/compress.ts';

/** The COMPRESS=DEFLATE extension. */
export const compressExtension: ImapExtension = {
  name: 'COMPRESS=DEFLATE',
  capabilities: (conn) => (conn.state === 'notAuthenticated' || conn.compressed ? [] : ['COMPRESS=DEFLATE']),
  commands: [compressCommand],
  upgraders: { compress: deflateUpgrader },
};
