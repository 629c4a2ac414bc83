/** mailroom/imap: the IMAP server library. */
export {
  ImapServer,
  MIN_AUTO_LOGOUT,
  DEFAULT_MAX_LITERAL_SIZE,
  DEFAULT_PRE_AUTH_TIMEOUT,
  DEFAULT_AUTH_FAILURE_DELAY,
  type ImapServerOptions,
  type ImapExtension,
  type ImapConnection,
  type ImapIdParams,
} from './server.ts';
export * from './extensions/index.ts';
export type { ScramBackend } from './extensions/scram.ts';
export { IDLE_KEEPALIVE_MS } from './commands/idle.ts';
export { LITERAL_MINUS_MAX } from './session/session.ts';
export { DeflateStream } from './session/compress.ts';
export type { ConnectionUpgrader, ConnectionView, ImapLogger } from './session/config.ts';
export { commandTable } from './commands/index.ts';
export {
  NO_STATUS,
  type CommandSpec,
  type CommandContext,
  type CommandResult,
  type SelectedView,
  type SessionState,
  type ResponseCode,
  type ResponseWriter,
} from './commands/types.ts';
export * from './protocol/index.ts';
export { ImapDecoder, DecodeError } from './wire/decoder.ts';
export { ResponseEncoder } from './wire/encoder.ts';
export { parseSequenceSet, formatUidSet, type SequenceSet, type SeqRange } from './wire/sequence-set.ts';
export { encodeMutf7, decodeMutf7 } from './wire/mutf7.ts';
