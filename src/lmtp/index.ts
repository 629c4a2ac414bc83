/** LMTP listener (RFC 2033) delivering into a store. */
export { LmtpServer, DEFAULT_LMTP_PORT, DEFAULT_MAX_RECIPIENTS, DEFAULT_SOCKET_TIMEOUT_MS, DEFAULT_CLOSE_TIMEOUT_MS } from './server.ts';
export type { LmtpServerOptions, LmtpLogger, LmtpDeliveryEvent, LmtpServerEvents } from './server.ts';
export { LMTP_REPLY_CODES, LmtpReplyError, replyFor } from './replies.ts';
