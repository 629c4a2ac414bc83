/**
 * APPEND (RFC 3501 section 6.3.11) with its extensions:
 * - MULTIAPPEND (RFC 3502): several messages in one command, stored all or nothing (User.append takes the
 *   list); a zero-length literal cancels the whole command with NO (section 6.3.11 as amended).
 * - UIDPLUS (RFC 4315 section 3, part of IMAP4rev2): OK [APPENDUID uidvalidity uid(s)], a single UID for
 *   one message, a UID set in transmission order for several.
 * - BINARY (RFC 3516 section 4.4): a message may come as literal8 `~{n}` (it may contain NUL); its parts
 *   declared `Content-Transfer-Encoding: binary` are re-encoded as base64 (append-binary.ts), losslessly,
 *   so that BODYSTRUCTURE and BODY[] stay within IMAP4's CTEs (section 6).
 * - APPENDLIMIT (RFC 7889): a message above the advertised limit is refused with NO [TOOBIG]; the session
 *   already refuses a larger literal before the `+` (its maxLiteralSize, which the limit never exceeds).
 * A missing mailbox answers NO [TRYCREATE] (RFC 3501, RFC 9051 section 6.3.12).
 */
import { normalizeFlags } from '../../core/flags.ts';
import { isStoreError } from '../../store/errors.ts';
import type { AppendInput } from '../../store/types.ts';
import { ImapError, ImapErrors } from '../protocol/errors.ts';
import { atom } from '../protocol/values.ts';
import type { ImapDecoder } from '../wire/decoder.ts';
import { encodeBinaryParts } from './append-binary.ts';
import { userOf } from './mailbox-arg.ts';
import { appendLimitOf, featureActive, requireFeature } from './features.ts';
import type { CommandSpec } from './types.ts';

/** One message of an APPEND. */
export interface AppendMessage {
  readonly flags: readonly string[];
  readonly internalDate?: Date;
  readonly content: Buffer;
  /** Sent as literal8 (RFC 3516). */
  readonly binary: boolean;
}

/** APPEND arguments. */
export interface AppendArgs {
  readonly mailbox: string;
  readonly messages: readonly AppendMessage[];
}

/** RFC 4315 APPENDUID response code name. */
export const APPENDUID = 'APPENDUID';

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

/** A UID list as the shortest uid-set: "5", "5:7", "5:7,9" (RFC 4315 section 3; never "5:5"). */
export function uidSetText(uids: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < uids.length; ) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === uids[j] + 1) j++;
    parts.push(j > i ? `${uids[i]}:${uids[j]}` : `${uids[i]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** `SP [flag-list SP] [date-time SP] (literal / "~" literal8)`: one append-message. */
function parseMessage(dec: ImapDecoder, first: boolean): AppendMessage {
  dec.sp();
  // After a message, anything but the start of another one is trailing garbage, reported as such.
  if (!first && ![0x28, 0x22, 0x7e, 0x7b].includes(dec.peekByte())) dec.fail('unexpected characters at end of command');
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
  const binary = dec.accept('~');
  if (dec.peekByte() !== 0x7b) dec.fail('expected message literal');
  const content = dec.stringBytes();
  // \Recent cannot be set by a client (RFC 3501 section 2.3.2).
  flags = normalizeFlags(flags).filter((f) => f !== '\\Recent');
  return internalDate ? { flags, internalDate, content, binary } : { flags, content, binary };
}

/** `APPEND mailbox 1*append-message`. */
export const appendCommand: CommandSpec<AppendArgs> = {
  name: 'APPEND',
  states: ['authenticated', 'selected'],
  expunge: 'allow',
  parse(dec) {
    dec.sp();
    const mailbox = dec.mailbox();
    const messages: AppendMessage[] = [parseMessage(dec, true)];
    while (!dec.atEnd()) messages.push(parseMessage(dec, false));
    dec.end();
    return { mailbox, messages };
  },
  async run(ctx, args) {
    if (args.messages.length > 1) requireFeature(ctx, 'MULTIAPPEND', 'MULTIAPPEND');
    if (args.messages.some((m) => m.binary)) requireFeature(ctx, 'BINARY', 'literal8');
    const limit = appendLimitOf(ctx);
    for (const m of args.messages) {
      // Zero-length literal: an error, and MULTIAPPEND's way to cancel (RFC 3502 section 6.3.11).
      if (m.content.length === 0) throw new ImapError('NO', "Can't save a zero byte message.");
      if (limit !== null && m.content.length > limit) throw ImapErrors.tooBig();
    }
    const inputs: AppendInput[] = args.messages.map((m) => {
      const content = toCrlf(m.binary ? encodeBinaryParts(m.content) : m.content);
      return m.internalDate ? { content, flags: m.flags, internalDate: m.internalDate } : { content, flags: m.flags };
    });
    let result;
    try {
      result = await userOf(ctx).append(args.mailbox, inputs);
    } catch (err) {
      if (isStoreError(err, 'notFound')) throw ImapErrors.tryCreate();
      throw err;
    }
    if (!featureActive(ctx, 'UIDPLUS')) return { text: 'Append completed.' };
    const uids = result.uids.length === 1 ? result.uids[0] : atom(uidSetText(result.uids));
    return { code: { name: APPENDUID, args: [result.uidValidity, uids] }, text: 'Append completed.' };
  },
};
