/**
 * The LMTP listener (RFC 2033) on smtp-server in LMTP mode: LHLO, MAIL, RCPT (unknown recipients refused with
 * 550 5.1.1 at RCPT time), DATA answered with one reply per recipient from `deliver()`. Like Dovecot's LMTP it
 * has no authentication: it listens on loopback (127.0.0.1:2424 in the daemon) and trusts its MTA. SIZE is
 * advertised and enforced (552 5.3.4).
 */
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { MessageMeta } from '../message/types.ts';
import type { Backend, ConnectionInfo } from '../store/types.ts';
import { deliver, type DeliveryResult } from '../delivery/deliver.ts';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../delivery/limits.ts';
import { resolveRecipient } from '../delivery/recipient.ts';
import { LmtpReplyError, replyFor } from './replies.ts';

/** Default LMTP port of the daemon (DESIGN.md section 6). */
export const DEFAULT_LMTP_PORT = 2424;

/**
 * Recipients per transaction. RFC 5321 section 4.5.3.1.8 requires accepting at least 100; 1,000 bounds the
 * per-transaction work (one append per recipient) while never splitting normal MTA batches (Postfix's
 * lmtp_destination_recipient_limit defaults to 50).
 */
export const DEFAULT_MAX_RECIPIENTS = 1000;

/** An idle LMTP connection is dropped after this long (Postfix's lmtp_data_done_timeout is 600 s). */
export const DEFAULT_SOCKET_TIMEOUT_MS = 5 * 60_000;

/** close() waits this long for sessions in a transaction before closing them (the daemon has 10 s for SIGTERM). */
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;

/** Structured logger (pino-compatible subset). */
export interface LmtpLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** What the metrics hook receives for every recipient of every transaction. */
export interface LmtpDeliveryEvent {
  readonly result: DeliveryResult;
  /** Envelope sender ('' for the null sender). */
  readonly envelopeFrom: string;
  /** Message size as received, in octets. */
  readonly size: number;
  readonly remoteAddress: string;
  /** Time the whole transaction's delivery took, in milliseconds. */
  readonly durationMs: number;
}

/** Options of `new LmtpServer()`. */
export interface LmtpServerOptions {
  readonly backend: Backend;
  /** Name in the greeting and LHLO reply (default "localhost"). */
  readonly hostname?: string;
  /** Largest message accepted (SIZE); default DEFAULT_MAX_MESSAGE_SIZE. */
  readonly maxMessageSize?: number;
  readonly maxRecipients?: number;
  /** Mailbox to deliver to (default INBOX; missing ones fall back to INBOX). */
  readonly mailbox?: string;
  /** Static-password mode: create unknown recipients' accounts (then RCPT accepts any recipient). */
  readonly createMissing?: (username: string) => Promise<boolean>;
  readonly logger?: LmtpLogger;
  /** Metrics hook, called once per recipient after DATA (also emitted as the 'delivery' event). */
  readonly onDelivery?: (event: LmtpDeliveryEvent) => void;
  readonly socketTimeoutMs?: number;
  readonly closeTimeoutMs?: number;
  /** The parser handed to deliver() (default parseMessage): instrumentation and tests. */
  readonly parse?: (raw: Buffer) => MessageMeta;
}

const silent: LmtpLogger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host.startsWith('::ffff:127.');
}

/** Events of LmtpServer. */
export interface LmtpServerEvents {
  delivery: [LmtpDeliveryEvent];
}

/** An LMTP listener delivering into a store. */
export class LmtpServer extends EventEmitter<LmtpServerEvents> {
  readonly #options: LmtpServerOptions;
  readonly #logger: LmtpLogger;
  readonly #smtp: SMTPServer;
  readonly #maxSize: number;
  #listening = false;

  constructor(options: LmtpServerOptions) {
    super();
    this.#options = options;
    this.#logger = options.logger ?? silent;
    this.#maxSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.#smtp = new SMTPServer({
      lmtp: true,
      name: options.hostname ?? 'localhost',
      banner: 'Mailroom LMTP ready',
      size: this.#maxSize,
      rejectOversized: true,
      hideENHANCEDSTATUSCODES: false,
      // No AUTH and no STARTTLS: LMTP is a local protocol between the MTA and the store (as Dovecot's).
      disabledCommands: ['AUTH', 'STARTTLS'],
      authOptional: true,
      maxRecipients: options.maxRecipients ?? DEFAULT_MAX_RECIPIENTS,
      socketTimeout: options.socketTimeoutMs ?? DEFAULT_SOCKET_TIMEOUT_MS,
      closeTimeout: options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
      logger: false,
      // No DNS in a local protocol: the greeting would wait on a reverse lookup of 127.0.0.1.
      disableReverseLookup: true,
      onRcptTo: (address, session, callback) => {
        this.#checkRecipient(address.address, session).then(
          () => callback(),
          (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
        );
      },
      onData: (stream, session, callback) => {
        this.#receive(stream, session).then(
          (replies) => callback(null, replies),
          (err: unknown) => {
            this.#logger.error({ err, session: session.id }, 'lmtp delivery failed');
            callback(new LmtpReplyError(451, 'Temporary internal failure, try again later'));
          },
        );
      },
    });
    this.#smtp.on('error', (err: Error) => {
      // Socket-level errors of one connection (resets, timeouts): logged, never fatal to the listener.
      this.#logger.debug({ err }, 'lmtp connection error');
    });
  }

  /** Start listening (default 127.0.0.1:2424; port 0 picks a free port). Resolves with the bound address. */
  listen(port = DEFAULT_LMTP_PORT, host = '127.0.0.1'): Promise<AddressInfo> {
    if (!isLoopback(host)) {
      this.#logger.warn({ host, port }, 'LMTP has no authentication: anyone who can connect can deliver mail');
    }
    return new Promise((resolve, reject) => {
      const server = this.#smtp.server;
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      this.#smtp.listen(port, host, () => {
        server.off('error', onError);
        this.#listening = true;
        const address = server.address() as AddressInfo;
        this.#logger.info({ address: address.address, port: address.port }, 'lmtp listening');
        resolve(address);
      });
    });
  }

  /** The bound address, or null before listen(). */
  get address(): AddressInfo | null {
    const address = this.#smtp.server.address();
    return address !== null && typeof address === 'object' ? address : null;
  }

  /**
   * Stop accepting connections, let transactions in progress finish (up to closeTimeoutMs), then close the
   * remaining sessions with 421.
   */
  close(): Promise<void> {
    if (!this.#listening) return Promise.resolve();
    this.#listening = false;
    return new Promise((resolve) => this.#smtp.close(() => resolve()));
  }

  #info(session: SMTPServerSession): ConnectionInfo {
    return { protocol: 'lmtp', remoteAddress: session.remoteAddress, secure: session.secure };
  }

  async #checkRecipient(address: string, session: SMTPServerSession): Promise<void> {
    if (this.#options.createMissing !== undefined) return; // static-password mode: every recipient exists
    let resolution;
    try {
      resolution = await resolveRecipient(address, { backend: this.#options.backend, info: this.#info(session) });
    } catch (err) {
      this.#logger.error({ err, rcpt: address }, 'lmtp recipient lookup failed');
      throw new LmtpReplyError(451, `<${address}> Temporary internal failure, try again later`);
    }
    if (resolution.kind === 'unknown') {
      this.#logger.info({ rcpt: address, session: session.id }, 'lmtp unknown recipient');
      throw new LmtpReplyError(550, `<${address}> User doesn't exist`);
    }
    try {
      await resolution.user.close();
    } catch (err) {
      this.#logger.debug({ err }, 'lmtp closing a looked-up account failed'); // the recipient exists all the same
    }
  }

  async #receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<(string | Error)[]> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) {
      // Past the limit smtp-server answers 552 5.3.4 itself; keep nothing more than the limit in memory.
      if (!stream.sizeExceeded) chunks.push(chunk as Buffer);
    }
    const recipients = session.envelope.rcptTo.map((r) => r.address);
    if (stream.sizeExceeded) return recipients.map(() => 'refused');
    const message = Buffer.concat(chunks);
    const mailFrom = session.envelope.mailFrom;
    const envelopeFrom = mailFrom === false ? '' : mailFrom.address;
    const started = performance.now();
    const results = await deliver({
      backend: this.#options.backend,
      message,
      recipients,
      envelopeFrom,
      maxMessageSize: this.#maxSize,
      info: this.#info(session),
      ...(this.#options.mailbox !== undefined ? { mailbox: this.#options.mailbox } : {}),
      ...(this.#options.createMissing !== undefined ? { createMissing: this.#options.createMissing } : {}),
      ...(this.#options.parse !== undefined ? { parse: this.#options.parse } : {}),
    });
    const durationMs = performance.now() - started;
    for (const result of results) {
      const fields = {
        session: session.id, rcpt: result.recipient, account: result.account, status: result.status,
        mailbox: result.mailbox, uid: result.uid, size: message.length, from: envelopeFrom,
      };
      if (result.status === 'temporary' || result.status === 'failed') {
        this.#logger.error({ ...fields, err: result.error }, 'lmtp delivery failed');
      } else {
        this.#logger.info(fields, 'lmtp delivery');
      }
      const event: LmtpDeliveryEvent = { result, envelopeFrom, size: message.length, remoteAddress: session.remoteAddress, durationMs };
      try {
        this.#options.onDelivery?.(event);
        this.emit('delivery', event);
      } catch (err) {
        this.#logger.error({ err }, 'lmtp delivery hook threw'); // a metrics bug must not fail the delivery
      }
    }
    return results.map(replyFor);
  }
}
