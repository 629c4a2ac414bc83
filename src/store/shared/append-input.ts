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
 * Check and parse one APPEND input: 'tooBig' above `maxMessageSize` octets, 'invalid' for a bad flag or
 * internal date. Everything that can fail on input, and the CPU-heavy parse, happens here, before the
 * transaction, so the database's write lock is held only for the inserts (parse once: DESIGN.md section 3).
 */
export function prepareAppend(input: AppendInput, maxMessageSize: number): PreparedAppend {
  if (input.content.length > maxMessageSize) throw new StoreError('tooBig', 'message too big');
  const meta = input.meta ?? parseMessage(input.content);
  const flags = storableFlags(input.flags ?? []);
  const internalDate = input.internalDate ?? new Date();
  if (Number.isNaN(internalDate.getTime())) throw new StoreError('invalid', 'invalid internal date');
  return { content: input.content, flags, internalDate: internalDate.getTime(), meta, encoded: encodeMeta(meta) };
}
