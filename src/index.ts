/**
 * mailroom: the package's main entry, public re-exports only. The subpaths (mailroom/imap, mailroom/pop3,
 * mailroom/store, mailroom/store/memory, mailroom/store/sqlite, ...) carry the full surface of each part;
 * this entry gathers what an embedder needs first. The SQLite store is left to `mailroom/store/sqlite` so
 * that importing the library never loads a native addon.
 */
export {
  ImapServer,
  MIN_AUTO_LOGOUT,
  ImapError,
  NO_STATUS,
  type ImapServerOptions,
  type ImapExtension,
  type ImapConnection,
  type ImapLogger,
  type CommandSpec,
  type CommandContext,
} from './imap/index.ts';
export {
  Pop3Server,
  Pop3ReportableError,
  newReportableError,
  storePop3Handler,
  type Pop3ServerOptions,
  type Pop3Handler,
  type Pop3Peer,
  type Pop3Logger,
  type StorePop3HandlerOptions,
} from './pop3/index.ts';
export { LmtpServer, type LmtpServerOptions, type LmtpDeliveryEvent } from './lmtp/index.ts';
export * from './store/index.ts';
export { createMemoryBackend, type MemoryBackend, type MemoryBackendOptions } from './store/memory/index.ts';
export { deliver, importMessages, type DeliverOptions, type DeliveryResult, type DeliveryStatus, type ImportOptions, type ImportResult } from './delivery/index.ts';
export { hashPassword, verifyPassword } from './auth/index.ts';
