/**
 * Deterministic test messages for benchmarks: the same index always gives the same bytes, so every target
 * stores exactly the same mailbox. A mix of plain text, multipart/alternative and a message with a small
 * attachment, 1-6 KB each, with known "needles" for SEARCH: every SUBJECT_NEEDLE_EVERY-th message has the
 * word SUBJECT_NEEDLE in its Subject, every BODY_NEEDLE_EVERY-th has BODY_NEEDLE in its body, and every
 * FLAGGED_EVERY-th is stored with \Flagged.
 */

/** Word placed in the Subject of 1 message in SUBJECT_NEEDLE_EVERY. */
export const SUBJECT_NEEDLE = 'quarterly-invoice';
/** Period of the subject needle. */
export const SUBJECT_NEEDLE_EVERY = 100;
/** Word placed in the body of 1 message in BODY_NEEDLE_EVERY. */
export const BODY_NEEDLE = 'zebracorn';
/** Period of the body needle. */
export const BODY_NEEDLE_EVERY = 50;
/** 1 message in FLAGGED_EVERY is stored \Flagged. */
export const FLAGGED_EVERY = 10;

const WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an they ' +
  'you were her all she there would their we him been has when who will more no if out so said what up its about ' +
  'into than them can only other new some could time these two may then do first any my now such like our over ' +
  'man me even most made after also did many before must through back years where much your way well down should ' +
  'because each just those people how too little state good very make world still own see men work long get here'
).split(' ');

const NAMES = ['Alice Martin', 'Bob Chen', 'Carol Diaz', 'Dmitri Ivanov', 'Eve Okafor', 'Frank Müller', 'Grace Hopper', 'Heidi Nakamura'];

/** Small deterministic PRNG (mulberry32) so messages do not depend on Math.random. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function paragraph(r: () => number, words: number): string {
  const out: string[] = [];
  let line: string[] = [];
  let len = 0;
  for (let i = 0; i < words; i++) {
    const w = WORDS[Math.floor(r() * WORDS.length)];
    if (len + w.length + 1 > 72) {
      out.push(line.join(' '));
      line = [];
      len = 0;
    }
    line.push(w);
    len += w.length + 1;
  }
  if (line.length) out.push(line.join(' '));
  return out.join('\r\n');
}

function address(name: string): string {
  const local = name.toLowerCase().replace(/[^a-z]+/g, '.');
  return `${local}@example.org`;
}

function encodeHeaderWord(s: string): string {
  return /[^\x20-\x7e]/.test(s) ? `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=` : `"${s}"`;
}

/** Message number `i` (0-based) as RFC 5322 bytes with CRLF line ends. */
export function makeMessage(i: number): Buffer {
  const r = rng(i * 2654435761 + 1);
  const from = NAMES[i % NAMES.length];
  const to = NAMES[(i * 7 + 3) % NAMES.length];
  const date = new Date(Date.UTC(2024, 0, 1) + i * 137_000);
  let subject = `${paragraph(r, 3 + Math.floor(r() * 5)).replace(/\r\n/g, ' ')} #${i}`;
  if (i % SUBJECT_NEEDLE_EVERY === 0) subject = `${SUBJECT_NEEDLE} ${subject}`;
  let body = paragraph(r, 80 + Math.floor(r() * 500));
  if (i % BODY_NEEDLE_EVERY === 0) body += `\r\n\r\nThe ${BODY_NEEDLE} says hello.`;
  const headers = [
    `Return-Path: <${address(from)}>`,
    `Message-ID: <bench.${i}@example.org>`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `From: ${encodeHeaderWord(from)} <${address(from)}>`,
    `To: ${encodeHeaderWord(to)} <${address(to)}>`,
    `Subject: ${subject}`,
    'MIME-Version: 1.0',
  ];
  const kind = i % 5;
  let text: string;
  if (kind < 3) {
    text = [...headers, 'Content-Type: text/plain; charset=us-ascii', 'Content-Transfer-Encoding: 7bit', '', body, ''].join('\r\n');
  } else if (kind === 3) {
    const b = `=_alt_${i}`;
    text = [
      ...headers,
      `Content-Type: multipart/alternative; boundary="${b}"`,
      '',
      `--${b}`,
      'Content-Type: text/plain; charset=us-ascii',
      '',
      body,
      `--${b}`,
      'Content-Type: text/html; charset=us-ascii',
      '',
      `<html><body><p>${body.replace(/\r\n/g, ' ')}</p></body></html>`,
      `--${b}--`,
      '',
    ].join('\r\n');
  } else {
    const b = `=_mix_${i}`;
    const attachment = Buffer.alloc(600 + (i % 7) * 100, i % 251).toString('base64').replace(/.{76}/g, '$&\r\n');
    text = [
      ...headers,
      `Content-Type: multipart/mixed; boundary="${b}"`,
      '',
      `--${b}`,
      'Content-Type: text/plain; charset=us-ascii',
      '',
      body,
      `--${b}`,
      `Content-Type: application/octet-stream; name="data-${i}.bin"`,
      `Content-Disposition: attachment; filename="data-${i}.bin"`,
      'Content-Transfer-Encoding: base64',
      '',
      attachment,
      `--${b}--`,
      '',
    ].join('\r\n');
  }
  return Buffer.from(text, 'utf8');
}

/** Whether message `i` is stored with \Flagged. */
export function isFlagged(i: number): boolean {
  return i % FLAGGED_EVERY === 0;
}

/** How many of the first `n` messages match each needle (expected SEARCH result sizes). */
export function expectedMatches(n: number): { flagged: number; subject: number; body: number } {
  const count = (every: number): number => Math.ceil(n / every);
  return { flagged: count(FLAGGED_EVERY), subject: count(SUBJECT_NEEDLE_EVERY), body: count(BODY_NEEDLE_EVERY) };
}
