/**
 * SEARCH queries compared with Dovecot 2.3 over the whole fixture corpus (issue 2: decoded matching).
 * Each has the IMAP form sent to Dovecot (an 8-bit value goes last, as a literal, with CHARSET UTF-8) and
 * the AST our evaluator runs. Internal-date keys are left out: Dovecot's internal dates are APPEND times.
 */
import type { SearchKey } from '../../src/search/types.ts';

/** One query: IMAP text before the literal, the 8-bit literal value (if any), and our AST. */
export interface GoldenQuery {
  readonly imap: string;
  readonly literal?: string;
  readonly key: SearchKey;
}

const h = (field: string, value: string): SearchKey => ({ type: 'header', field, value });
const q = (imapKey: string, value: string, key: SearchKey): GoldenQuery =>
  /^[\x20-\x7e]*$/.test(value)
    ? { imap: `${imapKey} "${value.replace(/["\\]/g, '\\$&')}"`, key }
    : { imap: `CHARSET UTF-8 ${imapKey}`, literal: value, key };

/** The queries, in golden-file order. */
export const GOLDEN_QUERIES: readonly GoldenQuery[] = [
  q('SUBJECT', 'report', h('subject', 'report')),
  q('SUBJECT', 'Grüße', h('subject', 'Grüße')),
  q('SUBJECT', 'GRÜSSE', h('subject', 'GRÜSSE')),
  q('SUBJECT', "réunion à l'hôtel", h('subject', "réunion à l'hôtel")),
  q('SUBJECT', 'отчёт', h('subject', 'отчёт')),
  q('SUBJECT', '会議', h('subject', '会議')),
  q('SUBJECT', '明日の会議', h('subject', '明日の会議')),
  q('SUBJECT', '会议通知', h('subject', '会议通知')),
  q('SUBJECT', 'you can read this you understand', h('subject', 'you can read this you understand')),
  q('SUBJECT', 'naïve café', h('subject', 'naïve café')),
  q('SUBJECT', 'folded with a tab', h('subject', 'folded with a tab')),
  q('FROM', 'jürgen', h('from', 'jürgen')),
  q('FROM', 'juergen@example.de', h('from', 'juergen@example.de')),
  q('FROM', 'example.org', h('from', 'example.org')),
  q('FROM', 'Doe, John', h('from', 'Doe, John')),
  q('FROM', '田中', h('from', '田中')),
  q('FROM', 'Иван', h('from', 'Иван')),
  q('TO', 'jane', h('to', 'jane')),
  q('TO', 'André Pirard', h('to', 'André Pirard')),
  q('TO', 'route@example.org', h('to', 'route@example.org')),
  q('TO', 'undisclosed', h('to', 'undisclosed')),
  q('CC', 'berg, bo', h('cc', 'berg, bo')),
  q('CC', 'mallory', h('cc', 'mallory')),
  q('BCC', 'group', h('bcc', 'group')),
  q('HEADER Message-ID', 'example.com', h('message-id', 'example.com')),
  q('HEADER X-Mailer', '', h('x-mailer', '')),
  q('HEADER Content-Type', 'multipart/mixed', h('content-type', 'multipart/mixed')),
  q('HEADER Content-Type', 'MULTIPART/ALTERNATIVE', h('content-type', 'MULTIPART/ALTERNATIVE')),
  q('BODY', 'lunch on friday', { type: 'body', value: 'lunch on friday' }),
  q('BODY', 'Straßen', { type: 'body', value: 'Straßen' }),
  q('BODY', 'crème', { type: 'body', value: 'crème' }),
  q('BODY', 'gęślą', { type: 'body', value: 'gęślą' }),
  q('BODY', 'привет', { type: 'body', value: 'привет' }),
  q('BODY', 'пятницу', { type: 'body', value: 'пятницу' }),
  q('BODY', '会議は明日', { type: 'body', value: '会議は明日' }),
  q('BODY', '世界', { type: 'body', value: '世界' }),
  q('BODY', '明天見', { type: 'body', value: '明天見' }),
  q('BODY', 'budget – final', { type: 'body', value: 'budget – final' }),
  q('BODY', 'innermost', { type: 'body', value: 'innermost' }),
  q('BODY', 'user unknown', { type: 'body', value: 'user unknown' }),
  q('BODY', 'Planning meeting', { type: 'body', value: 'Planning meeting' }),
  q('BODY', 'Γεια', { type: 'body', value: 'Γεια' }),
  q('BODY', 'hello', { type: 'body', value: 'hello' }),
  q('BODY', 'Subject: inner', { type: 'body', value: 'Subject: inner' }),
  q('TEXT', 'Lunch', { type: 'text', value: 'Lunch' }),
  q('TEXT', 'original message', { type: 'text', value: 'original message' }),
  q('TEXT', 'Mañana', { type: 'text', value: 'Mañana' }),
  q('TEXT', '☕', { type: 'text', value: '☕' }),
  { imap: 'LARGER 3000', key: { type: 'size', op: 'larger', size: 3000 } },
  { imap: 'SMALLER 300', key: { type: 'size', op: 'smaller', size: 300 } },
  { imap: 'SENTON 26-Mar-2024', key: { type: 'sentDate', op: 'on', date: '2024-03-26' } },
  { imap: 'SENTBEFORE 8-Mar-2024', key: { type: 'sentDate', op: 'before', date: '2024-03-08' } },
  { imap: 'SENTSINCE 5-Apr-2024', key: { type: 'sentDate', op: 'since', date: '2024-04-05' } },
  { imap: 'OR SUBJECT "RFC 2231" NOT FROM "a@example.com"', key: { type: 'or', left: h('subject', 'RFC 2231'), right: { type: 'not', key: h('from', 'a@example.com') } } },
];
