/** mailroom/pop3: the POP3 server library (popart's API) and the store-backed handler. */
export { Pop3Server, type Pop3ServerOptions } from './server.ts';
export {
  Pop3ReportableError,
  newReportableError,
  type Pop3AuthFailureEvent,
  type Pop3CommandEvent,
  type Pop3Handler,
  type Pop3Peer,
  type Pop3ResponseCode,
} from './handler.ts';
export type { Pop3Logger } from './logger.ts';
export { DotStuffer, dotStuff, dotUnstuff, normalizedSize, type DotStufferOptions } from './dot-stuff.ts';
export { LineReceiver, type ReceivedLine } from './line-receiver.ts';
export { MIN_TIMEOUT_MS } from './limits.ts';
export { storePop3Handler, type StorePop3HandlerOptions } from './store-handler.ts';
