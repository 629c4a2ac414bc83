/**
 * Local delivery: one message to many recipients, parsed once (DESIGN.md section 3 "Parse once").
 *
 * Steps: normalize line endings to CRLF; refuse a message over the size limit; parse it once (lazily, at the
 * first recipient that resolves); for each recipient resolve the account (recipient.ts), prepend
 * `Return-Path:` and `Delivered-To:` as Dovecot's LMTP does (headers.ts) and append it with the shifted parse
 * record (meta-shift.ts), so the store never re-parses. The result is one entry per recipient, in order,
 * which the LMTP listener turns into one reply per recipient (RFC 2033 section 4.2).
 */
import { parseMessage } from '../message/index.ts';
import type { MessageMeta } from '../message/types.ts';
import { isStoreError } from '../store/errors.ts';
import type { Backend, ConnectionInfo, User } from '../store/types.ts';
import { INBOX } from '../core/mailbox-name.ts';
import { stripEnvelopeLine, toCrlf } from './crlf.ts';
import { traceHeaderBytes } from './headers.ts';
import { DEFAULT_MAX_MESSAGE_SIZE } from './limits.ts';
import { prependHeaderToMeta } from './meta-shift.ts';
import { resolveRecipient } from './recipient.ts';

/** Outcome of one recipient. */
export type DeliveryStatus = 'delivered' | 'unknownUser' | 'overQuota' | 'tooBig' | 'temporary' | 'failed';

/** One recipient's result. `message` is safe to show to the client; `error` is for logs only. */
export interface DeliveryResult {
  /** The recipient as given. */
  readonly recipient: string;
  /** The account it resolved to. */
  readonly account?: string;
  readonly status: DeliveryStatus;
  /** Where the message landed (INBOX when the requested mailbox was missing). */
  readonly mailbox?: string;
  readonly uid?: number;
  readonly message: string;
  /** The underlying error of a 'temporary' or 'failed' result, for the log. */
  readonly error?: unknown;
}

/** Options for `deliver`. */
export interface DeliverOptions {
  readonly backend: Backend;
  /** The message as received; LF line endings are turned into CRLF, a leading mbox From_ line is dropped. */
  readonly message: Buffer;
  readonly recipients: readonly string[];
  /** Target mailbox; INBOX when absent or when it does not exist (Dovecot lmtp_save_to_detail_mailbox=no). */
  readonly mailbox?: string;
  /** Envelope sender for Return-Path ('' is the null sender); no Return-Path line when undefined. */
  readonly envelopeFrom?: string;
  /** Internal date of the delivered copies; now when absent. */
  readonly internalDate?: Date;
  /** Static-password mode: create the account of an unknown recipient; resolve true when it now exists. */
  readonly createMissing?: (username: string) => Promise<boolean>;
  /** Largest accepted message in octets after normalization (default DEFAULT_MAX_MESSAGE_SIZE). */
  readonly maxMessageSize?: number;
  /** Add `Delivered-To:` per recipient (default true, as Dovecot's lmtp_hdr_delivery_address = final). */
  readonly addDeliveredTo?: boolean;
  /** Who delivers (passed to openUser); default `{ protocol: 'cli', secure: false }`. */
  readonly info?: ConnectionInfo;
  /** The parser (default `parseMessage`); an injection point for instrumentation and tests. */
  readonly parse?: (raw: Buffer) => MessageMeta;
}

const TEXT: Record<DeliveryStatus, string> = {
  delivered: 'Saved',
  unknownUser: "User doesn't exist",
  overQuota: 'Quota exceeded (mailbox for user is full)',
  tooBig: 'Message too big',
  temporary: 'Temporary internal failure, try again later',
  failed: 'Delivery failed',
};

/** Map a failure of a delivery attempt to a status: store refusals by kind, anything unexpected is temporary. */
export function statusOfError(err: unknown): DeliveryStatus {
  if (!isStoreError(err)) return 'temporary'; // an unknown failure must not bounce mail: the MTA retries
  switch (err.kind) {
    case 'overQuota':
      return 'overQuota';
    case 'tooBig':
      return 'tooBig';
    case 'unavailable':
    case 'inUse':
    case 'expired':
      return 'temporary';
    default:
      return 'failed';
  }
}

function result(recipient: string, status: DeliveryStatus, extra: Partial<DeliveryResult> = {}): DeliveryResult {
  return { recipient, status, message: TEXT[status], ...extra };
}

/** Prepared message: normalized bytes, parsed at most once. */
class PreparedMessage {
  private meta: MessageMeta | null = null;
  constructor(
    readonly bytes: Buffer,
    private readonly parse: (raw: Buffer) => MessageMeta,
  ) {}

  parsed(): MessageMeta {
    this.meta ??= this.parse(this.bytes);
    return this.meta;
  }
}

async function appendWithFallback(
  user: User,
  mailbox: string,
  content: Buffer,
  meta: MessageMeta,
  internalDate: Date,
): Promise<{ mailbox: string; uid: number }> {
  const input = { content, meta, internalDate };
  if (mailbox.toUpperCase() !== INBOX) {
    try {
      const appended = await user.append(mailbox, [input]);
      return { mailbox, uid: appended.uids[0] };
    } catch (err) {
      // A missing or unusable target falls back to INBOX (Dovecot's implicit keep); quota or size refusals
      // would fail the same way in INBOX and are reported as they are.
      if (!isStoreError(err, 'notFound') && !isStoreError(err, 'invalid') && !isStoreError(err, 'noPermission')) {
        throw err;
      }
    }
  }
  const appended = await user.append(INBOX, [input]);
  return { mailbox: INBOX, uid: appended.uids[0] };
}

/** Deliver one message to every recipient; one result per recipient, in order. Never rejects. */
export async function deliver(options: DeliverOptions): Promise<DeliveryResult[]> {
  const maxSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const bytes = toCrlf(stripEnvelopeLine(options.message));
  if (bytes.length > maxSize) {
    return options.recipients.map((r) => result(r, 'tooBig'));
  }
  const prepared = new PreparedMessage(bytes, options.parse ?? parseMessage);
  const info = options.info ?? { protocol: 'cli', secure: false };
  const internalDate = options.internalDate ?? new Date();
  const addDeliveredTo = options.addDeliveredTo ?? true;
  const results: DeliveryResult[] = [];
  for (const recipient of options.recipients) {
    results.push(await deliverOne(recipient));
  }
  return results;

  async function deliverOne(recipient: string): Promise<DeliveryResult> {
    let user: User | null = null;
    let account: string | undefined;
    try {
      const resolved = await resolveRecipient(recipient, {
        backend: options.backend,
        info,
        ...(options.createMissing ? { createMissing: options.createMissing } : {}),
      });
      if (resolved.kind === 'unknown') return result(recipient, 'unknownUser');
      user = resolved.user;
      account = resolved.account;
      const prefix = traceHeaderBytes({
        ...(options.envelopeFrom !== undefined ? { envelopeFrom: options.envelopeFrom } : {}),
        ...(addDeliveredTo ? { deliveredTo: recipient } : {}),
      });
      const content = prefix.length === 0 ? bytes : Buffer.concat([prefix, bytes]);
      const meta = prependHeaderToMeta(prepared.parsed(), prefix);
      const saved = await appendWithFallback(user, options.mailbox ?? INBOX, content, meta, internalDate);
      return result(recipient, 'delivered', { account, mailbox: saved.mailbox, uid: saved.uid });
    } catch (err) {
      const status = statusOfError(err);
      return result(recipient, status, { ...(account !== undefined ? { account } : {}), error: err });
    } finally {
      if (user !== null) await user.close().catch(() => undefined);
    }
  }
}
