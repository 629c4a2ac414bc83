/** Every POP3 cap and timeout, with the reason for its value. */

/**
 * Longest command or SASL response line we accept, CRLF excluded. RFC 2449 section 4 caps client commands
 * at 255 octets, but RFC 5034 section 4 lets SASL responses be as long as the mechanism needs; 8 KiB covers
 * every mechanism we ship while keeping a hostile client from growing our buffer.
 */
export const DEFAULT_MAX_LINE_LENGTH = 8192;

/** RFC 1939 section 3: the autologout timer MUST be at least 10 minutes. */
export const MIN_TIMEOUT_MS = 10 * 60 * 1000;

/** Unknown commands, wrong-state commands and syntax errors tolerated before we hang up (as Dovecot does). */
export const DEFAULT_MAX_BAD_COMMANDS = 20;

/** Failed USER/PASS, APOP or AUTH attempts tolerated on one connection before we hang up. */
export const DEFAULT_MAX_AUTH_FAILURES = 3;

/** Delay before answering a failed authentication: slows password guessing (Dovecot waits 2 s). */
export const DEFAULT_AUTH_FAILURE_DELAY_MS = 2000;

/**
 * Parsed but not yet executed lines per connection before we stop reading from the socket: PIPELINING
 * (RFC 2449 section 6.6) lets a client send many commands at once, but not make us buffer without bound.
 */
export const MAX_QUEUED_LINES = 64;

/** Widest message number or line count we parse: 10 digits is beyond any real maildrop and fits a double. */
export const MAX_NUMBER_DIGITS = 10;

/** RFC 2449 section 6.5: a UIDL value is 1 to 70 characters in the range 0x21 to 0x7E. */
export const MAX_UIDL_LENGTH = 70;
