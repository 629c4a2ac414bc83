/** Checking and parsing APPEND input before a database store's write transaction. */
import { encodeMeta, parseMessage } from '../../message/index.ts';
import type { MessageMeta } from '../../message/types.ts';
import { StoreError } from '../errors.ts';
import type { AppendInput } from '../types.ts';
import { storableFlags } from './flags.ts';

/** One APPEND input, checked and parsed, ready to insert. */
export interface PreparedAppend {
  readonly content: Buffer;
  readonly flags: string[];
  /** Internal date in epoch milliseconds. */
  readonly internalDate: number;
  readonly meta: MessageMeta;
  /** `meta` in its stored form (message/meta-codec), encoded here so the transaction only inserts. */
  readonly encoded: Buffer;
}

/**
 * StoreError 'invalid' for an empty message, in every store. A zero-octet message is not a message: RFC 5322
 * section 3.6 requires at least the Date and From fields, and Dovecot refuses an empty APPEND ("Can't save
 * a zero byte message"). Refusing it here also keeps POP3 and FETCH from serving an empty body.
 */
export function checkNotEmpty(content: Buffer): void {
  if (content.length === 0) throw new StoreError('invalid', 'empty message');
}

/**
 * Check and parse one APPEND input: 'invalid' for an empty message (checkNotEmpty), 'tooBig' above `maxMessageSize` octets, 'invalid' for a bad flag or
 * internal date. Everything that can fail on input, and the CPU-heavy parse, happens here, before the
 * transaction, so the database's write lock is held only for the inserts (parse once: DESIGN.md section 3).
 */
export function prepareAppend(input: AppendInput, maxMessageSize: number): PreparedAppend {
  checkNotEmpty(input.content);
  if (input.content.length > maxMessageSize) throw new StoreError('tooBig', 'message too big');
  const meta = input.meta ?? parseMessage(input.content);
  const flags = storableFlags(input.flags ?? []);
  const internalDate = input.internalDate ?? new Date();
  if (Number.isNaN(internalDate.getTime())) throw new StoreError('invalid', 'invalid internal date');
  return { content: input.content, flags, internalDate: internalDate.getTime(), meta, encoded: encodeMeta(meta) };
}
