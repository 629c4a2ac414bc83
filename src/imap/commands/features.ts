/**
 * Which extensions a command may use on this connection: the one place commands ask "is X in force?".
 * A feature is on when the server advertises its capability (the extension is enabled, see
 * src/imap/extensions/) or, for the extensions RFC 9051 folded into the base protocol (appendix E), once
 * the client has sent ENABLE IMAP4rev2. Commands parse the full grammar and refuse with BAD what the
 * connection did not get advertised (RFC 5258 section 3: "A server MUST respond to options it does not
 * recognize with a BAD response").
 */
import { ImapError } from '../protocol/errors.ts';
import type { CommandContext } from './types.ts';

/** The enable name of IMAP4rev2 (ENABLE upper-cases names). */
export const IMAP4REV2 = 'IMAP4REV2';

/**
 * Capabilities folded into IMAP4rev2 that the commands gate on (RFC 9051 appendix E items 2 and 3):
 * once the client enabled IMAP4rev2 their syntax and responses apply even if not advertised.
 */
export const REV2_FOLDED: ReadonlySet<string> = new Set([
  'LIST-EXTENDED',
  'LIST-STATUS',
  'SPECIAL-USE',
  'CHILDREN',
  'UIDPLUS',
  'STATUS=SIZE',
  'ESEARCH',
  'SEARCHRES',
  'MOVE',
  'BINARY',
]);

/** Whether the client enabled IMAP4rev2 (RFC 9051 appendix A: the rev2 behaviours apply only then). */
export function isRev2(ctx: Pick<CommandContext, 'enabled'>): boolean {
  return ctx.enabled.has(IMAP4REV2);
}

/**
 * Whether `capability` (upper-case, exact, e.g. 'OBJECTID', 'STATUS=SIZE') is in force on this
 * connection: advertised now, or folded into IMAP4rev2 and IMAP4rev2 is enabled.
 */
export function featureActive(ctx: Pick<CommandContext, 'enabled' | 'capabilities'>, capability: string): boolean {
  if (isRev2(ctx) && REV2_FOLDED.has(capability)) return true;
  return ctx.capabilities().some((c) => c.toUpperCase() === capability);
}

/** Throw BAD when a feature the command line uses is not available (client used an unadvertised option). */
export function requireFeature(ctx: Pick<CommandContext, 'enabled' | 'capabilities'>, capability: string, what: string): void {
  if (!featureActive(ctx, capability)) throw new ImapError('BAD', `${what} not supported`);
}

/** The advertised APPENDLIMIT (RFC 7889), or null when APPENDLIMIT is not advertised. */
export function appendLimitOf(ctx: Pick<CommandContext, 'capabilities'>): number | null {
  for (const c of ctx.capabilities()) {
    const m = /^APPENDLIMIT=([0-9]+)$/i.exec(c);
    if (m) return Number(m[1]);
  }
  return null;
}
