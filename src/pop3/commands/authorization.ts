/** AUTHORIZATION state commands: USER/PASS and APOP (RFC 1939 section 7), AUTH (RFC 5034), STLS (RFC 2595). */
import type { Pop3CommandSpec } from './types.ts';

const A = ['authorization'] as const;

/** Dovecot's wording for plaintext refused on a connection that is neither TLS nor trusted. */
export const PLAINTEXT_DISALLOWED = 'Plaintext authentication disallowed on non-secure (SSL/TLS) connections.';

/** USER name. */
export const user: Pop3CommandSpec = {
  name: 'USER',
  states: A,
  args: { kind: 'rest', optional: false },
  async run(ctx, [name]) {
    if (!ctx.plaintextAllowed) {
      await ctx.err(PLAINTEXT_DISALLOWED, 'AUTH');
      return;
    }
    ctx.pendingUser = name;
    await ctx.ok('');
  },
};

/** PASS string: the argument may contain spaces (RFC 1939 section 7). */
export const pass: Pop3CommandSpec = {
  name: 'PASS',
  states: A,
  args: { kind: 'rest', optional: false },
  redact: true,
  async run(ctx, [password]) {
    const username = ctx.pendingUser;
    if (!ctx.plaintextAllowed) {
      await ctx.err(PLAINTEXT_DISALLOWED, 'AUTH');
      return;
    }
    if (username === null) {
      await ctx.badCommand('No username given.');
      return;
    }
    // RFC 1939: after a failed PASS the client must start again with USER.
    ctx.pendingUser = null;
    await ctx.login(username, () => ctx.handler.authenticatePass(username, password));
  },
};

/** APOP name digest: offered only when enabled and implemented. */
export const apop: Pop3CommandSpec = {
  name: 'APOP',
  states: A,
  args: { kind: 'words', min: 2, max: 2 },
  redact: true,
  async run(ctx, [name, digest]) {
    const authenticateApop = ctx.handler.authenticateApop?.bind(ctx.handler);
    if (ctx.apopTimestamp === null || !authenticateApop) {
      await ctx.badCommand('Unknown command.');
      return;
    }
    if (!/^[0-9a-fA-F]{32}$/.test(digest)) {
      await ctx.badCommand('Invalid APOP digest.');
      return;
    }
    await ctx.login(name, () => authenticateApop(name, digest.toLowerCase()));
  },
};

/** AUTH [mechanism [initial-response]]. With no argument, lists mechanisms (RFC 1734 style, as Dovecot does). */
export const auth: Pop3CommandSpec = {
  name: 'AUTH',
  states: A,
  args: { kind: 'words', min: 0, max: 2 },
  redact: true,
  async run(ctx, args) {
    if (args.length === 0) {
      await ctx.multiline('', ctx.mechanisms());
      return;
    }
    await ctx.authenticate(args[0].toUpperCase(), args[1]);
  },
};

/** STLS (RFC 2595 section 4). */
export const stls: Pop3CommandSpec = {
  name: 'STLS',
  states: A,
  args: { kind: 'words', min: 0, max: 0 },
  async run(ctx) {
    if (!ctx.tlsAvailable) {
      await ctx.err('TLS is not available (or already active).');
      return;
    }
    await ctx.startTls();
  },
};
