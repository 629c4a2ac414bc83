/** TRANSACTION state commands (RFC 1939 sections 5 and 7). */
import { MAX_UIDL_LENGTH } from '../limits.ts';
import type { Pop3CommandContext, Pop3CommandSpec } from './types.ts';
import { liveMessage, parseNumber } from './numbers.ts';

const T = ['transaction'] as const;

/** STAT: `+OK count octets` over non-deleted messages. */
export const stat: Pop3CommandSpec = {
  name: 'STAT',
  states: T,
  args: { kind: 'words', min: 0, max: 0 },
  async run(ctx) {
    const { count, octets } = ctx.maildrop!.stat();
    await ctx.ok(`${count} ${octets}`);
  },
};

/** LIST [msg]: scan listings. */
export const list: Pop3CommandSpec = {
  name: 'LIST',
  states: T,
  args: { kind: 'words', min: 0, max: 1 },
  async run(ctx, args) {
    const drop = ctx.maildrop!;
    if (args.length === 1) {
      const msg = await liveMessage(ctx, args[0]);
      if (msg) await ctx.ok(`${msg.number} ${msg.size}`);
      return;
    }
    const { count, octets } = drop.stat();
    const lines = (function* () {
      for (const m of drop.live()) yield `${m.number} ${m.size}`;
    })();
    await ctx.multiline(`${count} messages (${octets} octets)`, lines);
  },
};

/** Check a handler's UIDL value: RFC 1939 section 7 restricts it to 1-70 printable characters. */
function validUid(id: string): boolean {
  return id.length >= 1 && id.length <= MAX_UIDL_LENGTH && /^[\x21-\x7e]+$/.test(id);
}

async function messageId(ctx: Pop3CommandContext, number: number): Promise<string> {
  const drop = ctx.maildrop!;
  const cached = drop.cachedId(number);
  if (cached !== undefined) return cached;
  const id = await ctx.handler.getMessageId(number);
  if (!validUid(id)) throw new Error(`handler returned an invalid UIDL value for message ${number}`);
  drop.cacheId(number, id);
  return id;
}

/** UIDL [msg] (RFC 1939 section 7; RFC 2449 UIDL capability). */
export const uidl: Pop3CommandSpec = {
  name: 'UIDL',
  states: T,
  args: { kind: 'words', min: 0, max: 1 },
  async run(ctx, args) {
    if (args.length === 1) {
      const msg = await liveMessage(ctx, args[0]);
      if (msg) await ctx.ok(`${msg.number} ${await messageId(ctx, msg.number)}`);
      return;
    }
    // Ask for every id before answering, so a handler failure becomes -ERR rather than a cut-off listing.
    const lines: string[] = [];
    for (const m of ctx.maildrop!.live()) lines.push(`${m.number} ${await messageId(ctx, m.number)}`);
    await ctx.multiline('Unique-ID listing follows', lines);
  },
};

/** RETR msg: the whole message. */
export const retr: Pop3CommandSpec = {
  name: 'RETR',
  states: T,
  args: { kind: 'words', min: 1, max: 1 },
  async run(ctx, args) {
    const msg = await liveMessage(ctx, args[0]);
    if (!msg) return;
    await ctx.sendMessage(msg.number, `${msg.size} octets`);
    // The answer is complete: a failure here must not add a second response, so it only gets reported.
    try {
      await ctx.handler.messageRetrieved?.(msg.number);
    } catch (err) {
      ctx.handler.handleSessionError(err);
    }
  },
};

/** TOP msg n: the header, the blank line and n body lines (RFC 1939 section 7), not n lines of the whole. */
export const top: Pop3CommandSpec = {
  name: 'TOP',
  states: T,
  args: { kind: 'words', min: 2, max: 2 },
  async run(ctx, args) {
    const lines = parseNumber(args[1]);
    if (lines === null) {
      await ctx.badCommand(`Invalid number of lines: ${args[1].slice(0, 20)}`);
      return;
    }
    const msg = await liveMessage(ctx, args[0]);
    if (!msg) return;
    await ctx.sendMessage(msg.number, 'Top of message follows', lines);
  },
};

/** DELE msg: mark deleted; removal happens only at QUIT. */
export const dele: Pop3CommandSpec = {
  name: 'DELE',
  states: T,
  args: { kind: 'words', min: 1, max: 1 },
  async run(ctx, args) {
    const msg = await liveMessage(ctx, args[0]);
    if (!msg) return;
    ctx.maildrop!.markDeleted(msg.number);
    await ctx.ok(`Message ${msg.number} deleted.`);
  },
};

/** NOOP. */
export const noop: Pop3CommandSpec = {
  name: 'NOOP',
  states: T,
  args: { kind: 'words', min: 0, max: 0 },
  async run(ctx) {
    await ctx.ok('');
  },
};

/** RSET: unmark every deleted message. */
export const rset: Pop3CommandSpec = {
  name: 'RSET',
  states: T,
  args: { kind: 'words', min: 0, max: 0 },
  async run(ctx) {
    const drop = ctx.maildrop!;
    drop.reset();
    const { count, octets } = drop.stat();
    await ctx.ok(`maildrop has ${count} messages (${octets} octets)`);
  },
};
