/** Argument parsing shared by the TRANSACTION commands. */
import { MAX_NUMBER_DIGITS } from '../limits.ts';
import type { Pop3CommandContext } from './types.ts';

const DIGITS = new RegExp(`^[0-9]{1,${MAX_NUMBER_DIGITS}}$`);

/** Parse a non-negative decimal (RFC 1939: "a message-number ... and a non-negative number of lines"). */
export function parseNumber(arg: string): number | null {
  return DIGITS.test(arg) ? Number(arg) : null;
}

/**
 * Resolve a message-number argument to a live message or reply with the error (Dovecot's wording).
 * Returns the number and size, or null when an error was sent.
 */
export async function liveMessage(ctx: Pop3CommandContext, arg: string): Promise<{ number: number; size: number } | null> {
  const number = parseNumber(arg);
  if (number === null) {
    await ctx.badCommand(`Invalid message number: ${arg.slice(0, 20)}`);
    return null;
  }
  const found = ctx.maildrop!.lookup(number);
  if (!found.ok) {
    await ctx.err(found.reason === 'deleted' ? `Message ${number} is deleted.` : `There's no message ${number}.`);
    return null;
  }
  return { number, size: found.size };
}
