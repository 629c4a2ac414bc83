/**
 * NAMESPACE (RFC 2342; RFC 9051 section 6.3.10): one personal namespace with an empty prefix and the
 * store's "/" separator; no other-users or shared namespaces (`NIL NIL`), as Dovecot's default config.
 */
import type { CommandSpec } from './types.ts';
import { atom } from '../protocol/values.ts';

/** Hierarchy separator of every store (DESIGN.md section 3). */
export const HIERARCHY_SEPARATOR = '/';

/** `NAMESPACE` -> `* NAMESPACE (("" "/")) NIL NIL`. */
export const namespaceCommand: CommandSpec<void> = {
  name: 'NAMESPACE',
  states: ['authenticated', 'selected'],
  expunge: 'allow',
  parse(dec) {
    dec.end();
  },
  async run(ctx) {
    await ctx.out.untagged(atom('NAMESPACE'), [['', HIERARCHY_SEPARATOR]], null, null);
    return { text: 'Namespace completed.' };
  },
};
