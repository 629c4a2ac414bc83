/** NAMESPACE (RFC 2342). */
import { namespaceCommand } from '../commands/namespace.ts';
import type { ImapExtension } from '../server.ts';

/** The NAMESPACE extension. */
export const namespaceExtension: ImapExtension = {
  name: 'NAMESPACE',
  capabilities: () => ['NAMESPACE'],
  commands: [namespaceCommand],
};
