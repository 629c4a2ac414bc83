/**
 * Contract values built from rows of the database stores. The SQLite and PostgreSQL schemas name their
 * columns alike (sqlite/schema.ts, postgres/schema.ts), so the mapping is written once; the flag lists are
 * stored differently (JSON text, text[]) and are decoded by each store before they get here.
 */
import type { MailboxStatus, MessageRecord } from '../types.ts';

/** The counter columns of a `mailboxes` row. */
export interface MailboxCountersRow {
  readonly object_id: string;
  readonly uid_validity: number;
  readonly uid_next: number;
  readonly highest_modseq: number;
  readonly messages: number;
  readonly unseen: number;
  readonly deleted: number;
  readonly size: number;
}

/** STATUS of a mailbox from its row: the counters are kept up to date by every mutation, nothing is counted. */
export function statusFromRow(row: MailboxCountersRow): MailboxStatus {
  return {
    messages: row.messages,
    unseen: row.unseen,
    uidNext: row.uid_next,
    uidValidity: row.uid_validity,
    highestModseq: row.highest_modseq,
    size: row.size,
    deleted: row.deleted,
    id: row.object_id,
  };
}

/** The columns of a `messages` row joined with its content's ids, less the flags. */
export interface MessageRecordRow {
  readonly uid: number;
  readonly modseq: number;
  readonly internal_date: number;
  readonly save_date: number;
  readonly size: number;
  readonly email_id: string;
  readonly thread_id: string;
}

/** The FETCH record of a message row whose flags the store has decoded (a fresh array the caller owns). */
export function recordFromRow(row: MessageRecordRow, flags: string[]): MessageRecord {
  return {
    uid: row.uid,
    flags,
    modseq: row.modseq,
    internalDate: new Date(row.internal_date),
    saveDate: new Date(row.save_date),
    size: row.size,
    emailId: row.email_id,
    threadId: row.thread_id,
  };
}
