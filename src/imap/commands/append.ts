/**
 * APPEND (RFC 3501 section 6.3.11): flags, internal date, message literal. The size limit is enforced
 * by the session before the `+` (NO [TOOBIG]); a missing mailbox answers NO [TRYCREATE].
 */
import { normalizeFlags } from '../../core/flags.ts';
import { isStoreError } from '../../store/errors.ts';
import { ImapError, ImapErrors } from '../protocol/errors.ts';
import { userOf } from './create.ts';
import type { CommandSpec } from './types.ts';

/** APPEND arguments. */
export interface AppendArgs {
  readonly mailbox: string;
  readonly flags: readonly string[];
  readonly internalDate?: Date;
  readonly content: Buffer;
}

/** Bare LF -> CRLF (the store contract wants CRLF; a message with only CRLF is returned unchanged). */
export function toCrlf(bytes: Buffer): Buffer {
  let bare = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a && (i === 0 || bytes[i - 1] !== 0x0d)) bare++;
  if (bare === 0) return bytes;
  const out = Buffer.allocUnsafe(bytes.length + bare);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x0a && (i === 0 || bytes[i - 1] !== 0x0d)) out[o++] = 0x0d;
    out[o++] = b;
  }
  return out;
}

/** `APPEND mailbox [flag-list] [date-time] literal`. */
export const appendCommand: CommandSpec<AppendArgs> = {
  name: 'APPEND',
  states: ['authenticated', 'selected'],
  expunge: 'allow',
  parse(dec) {
    dec.sp();
    const mailbox = dec.mailbox();
    dec.sp();
    let flags: string[] = [];
    let internalDate: Date | undefined;
    if (dec.peekByte() === 0x28) {
      flags = dec.flagList();
      dec.sp();
    }
    if (dec.peekByte() === 0x22) {
      internalDate = dec.dateTime();
      dec.sp();
    }
    if (dec.peekByte() !== 0x7b) dec.fail('expected message literal');
    const content = dec.stringBytes();
    dec.end();
    // \Recent cannot be set by a client (RFC 3501 section 2.3.2).
    flags = normalizeFlags(flags).filter((f) => f !== '\\Recent');
    return internalDate ? { mailbox, flags, internalDate, content } : { mailbox, flags, content };
  },
  async run(ctx, args) {
    if (args.content.length === 0) throw new ImapError('NO', "Can't save a zero byte message.");
    try {
      await userOf(ctx).append(args.mailbox, [
        args.internalDate
          ? { content: toCrlf(args.content), flags: args.flags, internalDate: args.internalDate }
          : { content: toCrlf(args.content), flags: args.flags },
      ]);
    } catch (err) {
      if (isStoreError(err, 'notFound')) throw ImapErrors.tryCreate();
      throw err;
    }
    return { text: 'Append completed.' };
  },
};
