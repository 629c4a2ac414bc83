/**
 * ID (RFC 2971): the client tells who it is, the server answers with its own ID parameters (from the
 * server's `id` option). Valid in every state (section 3.1). The client's parameters are logged, which is
 * how client quirks are diagnosed (docs/clients.md); nothing changes behaviour based on them.
 */
import { atom, type ImapValue } from '../protocol/values.ts';
import type { CommandSpec } from './types.ts';

/** RFC 2971 section 3.3: field strings are at most 30 octets (longer ones are not logged). */
export const ID_MAX_FIELD = 30;
/** RFC 2971 section 3.3: value strings are at most 1024 octets. */
export const ID_MAX_VALUE = 1024;
/** RFC 2971 section 3.3: at most 30 field-value pairs. */
export const ID_MAX_PAIRS = 30;

/** ID arguments: the client's parameters, or null for `ID NIL`. */
export interface IdArgs {
  readonly params: ReadonlyMap<string, string | null> | null;
}

/** Build the ID command answering with `serverId` (null: `* ID NIL`). */
export function idCommand(serverId: Readonly<Record<string, string | null>> | null): CommandSpec<IdArgs> {
  // The limits bind the server's own answer too: refuse a bad `id` option when the server is built.
  const entries = Object.entries(serverId ?? {});
  if (entries.length > ID_MAX_PAIRS) throw new RangeError(`id: at most ${ID_MAX_PAIRS} fields (RFC 2971 section 3.3)`);
  for (const [k, v] of entries) {
    if (k.length === 0 || Buffer.byteLength(k) > ID_MAX_FIELD) throw new RangeError(`id: field "${k}" must be 1 to ${ID_MAX_FIELD} octets`);
    if (v !== null && Buffer.byteLength(v) > ID_MAX_VALUE) throw new RangeError(`id: value of "${k}" longer than ${ID_MAX_VALUE} octets`);
  }
  const answer: ImapValue =
    serverId === null ? null : Object.entries(serverId).flatMap(([k, v]): ImapValue[] => [k, v]);
  return {
    name: 'ID',
    states: ['notAuthenticated', 'authenticated', 'selected'],
    expunge: 'allow',
    parse(dec) {
      dec.sp();
      if (dec.peekByte() !== 0x28) {
        if (dec.nstring() !== null) dec.fail('expected ( or NIL');
        dec.end();
        return { params: null };
      }
      const items = dec.list(() => dec.nstring());
      dec.end();
      // The limits of RFC 2971 section 3.3 bind the client; like Dovecot, a client that breaks them (odd
      // item count, long or repeated fields, too many pairs) still gets its answer: the offending
      // parameters are only left out of the log. ID must never be why a client cannot connect.
      const params = new Map<string, string | null>();
      for (let i = 0; i + 1 < items.length && params.size < ID_MAX_PAIRS; i += 2) {
        const field = items[i];
        const value = items[i + 1];
        if (field === null || Buffer.byteLength(field) > ID_MAX_FIELD) continue;
        if (value !== null && Buffer.byteLength(value) > ID_MAX_VALUE) continue;
        if (!params.has(field.toLowerCase())) params.set(field.toLowerCase(), value);
      }
      return { params };
    },
    async run(ctx, args) {
      if (args.params) ctx.log('info', 'client ID', { id: Object.fromEntries(args.params) });
      await ctx.out.untagged(atom('ID'), answer);
      return { text: 'ID completed.' };
    },
  };
}
