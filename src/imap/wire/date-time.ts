/**
 * IMAP dates (RFC 3501 section 9): `date` ("1-Feb-1994", used by SEARCH) and `date-time`
 * ("01-Feb-1994 21:30:05 +0100", INTERNALDATE and APPEND).
 */

/** Month names as IMAP writes them (case-insensitive on input). */
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const MONTH_INDEX = new Map<string, number>(MONTHS.map((m, i) => [m.toLowerCase(), i]));

/** A date or date-time that does not follow the grammar or names an impossible day. */
export class DateTimeError extends Error {
  override readonly name = 'DateTimeError';
}

function daysInMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

function checkDay(year: number, month0: number, day: number): void {
  if (day < 1 || day > daysInMonth(year, month0)) throw new DateTimeError('invalid day of month');
}

/** Parse `date-text` ("1-Feb-1994") into "YYYY-MM-DD" (the search AST's calendar day). */
export function parseImapDate(text: string): string {
  const m = /^([0-9]{1,2})-([A-Za-z]{3})-([0-9]{4})$/.exec(text);
  if (!m) throw new DateTimeError('invalid date');
  const month0 = MONTH_INDEX.get(m[2].toLowerCase());
  if (month0 === undefined) throw new DateTimeError('invalid month');
  const year = Number(m[3]);
  const day = Number(m[1]);
  checkDay(year, month0, day);
  return `${m[3]}-${String(month0 + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Parse the inside of a `date-time` ("dd-Mon-yyyy hh:mm:ss +zzzz"; the day may be " d" or "d", the
 * latter accepted because many clients send it).
 */
export function parseImapDateTime(text: string): Date {
  const m = /^ ?([0-9]{1,2})-([A-Za-z]{3})-([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2})$/.exec(text);
  if (!m) throw new DateTimeError('invalid date-time');
  const month0 = MONTH_INDEX.get(m[2].toLowerCase());
  if (month0 === undefined) throw new DateTimeError('invalid month');
  const year = Number(m[3]);
  const day = Number(m[1]);
  checkDay(year, month0, day);
  const [h, min, s, zh, zm] = [m[4], m[5], m[6], m[8], m[9]].map(Number);
  if (h > 23 || min > 59 || s > 60 || zh > 23 || zm > 59) throw new DateTimeError('invalid time');
  const offset = (m[7] === '-' ? -1 : 1) * (zh * 60 + zm);
  return new Date(Date.UTC(year, month0, day, h, min, Math.min(s, 59)) - offset * 60_000);
}

/** Format an INTERNALDATE value: "dd-Mon-yyyy hh:mm:ss +0000" (UTC; day as 2DIGIT, one of the RFC 3501 date-day-fixed forms). */
export function formatImapDateTime(date: Date): string {
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const day = p2(date.getUTCDate());
  return `${day}-${MONTHS[date.getUTCMonth()]}-${date.getUTCFullYear()} ${p2(date.getUTCHours())}:${p2(date.getUTCMinutes())}:${p2(date.getUTCSeconds())} +0000`;
}
