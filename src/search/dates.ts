/** RFC 5322 section 3.3 Date header parsing for SENTBEFORE/SENTON/SENTSINCE. */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * The calendar day (YYYY-MM-DD) a Date header names, in its own timezone: RFC 3501 section 6.4.4 says
 * the comparison disregards time and timezone. Null when unparseable. Two-digit years follow RFC 5322
 * section 4.3 (00-49 are 2000s, 50-99 are 1900s).
 */
export function parseDateHeaderDay(raw: string): string | null {
  const s = raw.replace(/\([^)]*\)/g, ' ').replace(/\s+/g, ' ').trim();
  const m = /(\d{1,2})\s*[ -]\s*([A-Za-z]{3})[a-z]*\.?\s*[ -]\s*(\d{2,4})/.exec(s);
  if (m === null) return null;
  const month = MONTHS.indexOf(m[2].toLowerCase());
  if (month < 0) return null;
  let year = Number(m[3]);
  if (m[3].length === 2) year += year < 50 ? 2000 : 1900;
  else if (m[3].length === 3) year += 1900;
  const day = Number(m[1]);
  if (day < 1 || day > 31) return null;
  return `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
