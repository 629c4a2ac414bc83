/** The POP3 command table: keyword -> spec. The session looks commands up here and enforces states. */
import type { Pop3CommandSpec } from './types.ts';
import { apop, auth, pass, stls, user } from './authorization.ts';
import { dele, list, noop, retr, rset, stat, top, uidl } from './transaction.ts';

/** CAPA (RFC 2449 section 5): valid in both states. */
const capa: Pop3CommandSpec = {
  name: 'CAPA',
  states: ['authorization', 'transaction'],
  args: { kind: 'words', min: 0, max: 0 },
  async run(ctx) {
    await ctx.multiline('Capability list follows', ctx.capabilities());
  },
};

/** QUIT: valid in both states; in TRANSACTION it enters UPDATE. */
const quit: Pop3CommandSpec = {
  name: 'QUIT',
  states: ['authorization', 'transaction'],
  args: { kind: 'words', min: 0, max: 0 },
  async run(ctx) {
    await ctx.quit();
  },
};

/** Every command the server understands. */
export const POP3_COMMANDS: ReadonlyMap<string, Pop3CommandSpec> = new Map(
  [user, pass, apop, auth, stls, capa, quit, stat, list, uidl, retr, top, dele, noop, rset].map((c) => [c.name, c]),
);

export type { Pop3CommandSpec, Pop3CommandContext, Pop3State } from './types.ts';
