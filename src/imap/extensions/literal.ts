/**
 * LITERAL+ / LITERAL- (RFC 7888). The receiver always accepts `{n+}`; the session enforces LITERAL-'s
 * 4096-byte bound when the server's `literalPlus` option is 'LITERAL-' (section 5: never both).
 */
import type { ImapExtension } from '../server.ts';

/** The LITERAL+ or LITERAL- extension. */
export function literalExtension(which: 'LITERAL+' | 'LITERAL-'): ImapExtension {
  return { name: which, capabilities: () => [which] };
}
