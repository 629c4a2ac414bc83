/**
 * Parse throughput of the message model (issue 2): MB/s and messages/s over the fixture corpus and over a
 * generated 10,000-message mailbox, and the size of the stored metadata record as a share of the message.
 *
 *   node --import tsx bench/parse.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMessage, encodeMeta, decodeMeta } from '../src/message/index.ts';

const FIXTURES = 'test/fixtures/messages';
const GENERATED = 10_000;

/** A deterministic pseudo-random generator, so every run measures the same mailbox. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

function words(rand: () => number, n: number): string {
  const vocab = ['meeting', 'report', 'the', 'budget', 'please', 'find', 'attached', 'regards', 'tomorrow', 'project', 'update', 'thanks'];
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(vocab[Math.floor(rand() * vocab.length)]);
  return out.join(' ');
}

function paragraph(rand: () => number, lines: number): string {
  let s = '';
  for (let i = 0; i < lines; i++) s += words(rand, 8 + Math.floor(rand() * 6)) + '\r\n';
  return s;
}

/** A mailbox-like mix: plain text, alternative, attachments, forwards. */
function generate(n: number): Buffer[] {
  const rand = rng(42);
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const head = `Return-Path: <u${i}@example.com>\r\nReceived: from mx${i % 7}.example.net by mail.example.org; Mon, 1 Apr 2024 10:00:00 +0000\r\n` +
      `From: User ${i} <u${i}@example.com>\r\nTo: Team <team@example.org>, "Doe, Jane" <jane@example.org>\r\n` +
      `Subject: ${words(rand, 5)}\r\nDate: Mon, 1 Apr 2024 10:${String(i % 60).padStart(2, '0')}:00 +0000\r\n` +
      `Message-ID: <${i}.${Math.floor(rand() * 1e9)}@example.com>\r\nMIME-Version: 1.0\r\n`;
    const kind = rand();
    let msg: string;
    if (kind < 0.4) {
      msg = `${head}Content-Type: text/plain; charset=utf-8\r\n\r\n${paragraph(rand, 5 + Math.floor(rand() * 60))}`;
    } else if (kind < 0.8) {
      const text = paragraph(rand, 10 + Math.floor(rand() * 40));
      msg = `${head}Content-Type: multipart/alternative; boundary="alt${i}"\r\n\r\n--alt${i}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n` +
        `--alt${i}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<html><body><p>${text.replace(/\r\n/g, '</p><p>')}</p></body></html>\r\n--alt${i}--\r\n`;
    } else if (kind < 0.95) {
      const blob = Buffer.alloc(20_000 + Math.floor(rand() * 200_000), i & 0xff).toString('base64').replace(/.{76}/g, '$&\r\n');
      msg = `${head}Content-Type: multipart/mixed; boundary="mix${i}"\r\n\r\n--mix${i}\r\nContent-Type: text/plain\r\n\r\n${paragraph(rand, 5)}\r\n` +
        `--mix${i}\r\nContent-Type: application/pdf; name="doc${i}.pdf"\r\nContent-Disposition: attachment; filename="doc${i}.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n${blob}\r\n--mix${i}--\r\n`;
    } else {
      msg = `${head}Content-Type: multipart/mixed; boundary="fw${i}"\r\n\r\n--fw${i}\r\nContent-Type: text/plain\r\n\r\nFYI\r\n--fw${i}\r\nContent-Type: message/rfc822\r\n\r\n` +
        `From: other@example.net\r\nSubject: original\r\nContent-Type: text/plain\r\n\r\n${paragraph(rand, 20)}\r\n--fw${i}--\r\n`;
    }
    out.push(Buffer.from(msg, 'latin1'));
  }
  return out;
}

function measure(label: string, messages: Buffer[], minMs: number): void {
  const bytes = messages.reduce((s, m) => s + m.length, 0);
  for (const m of messages.slice(0, 200)) parseMessage(m); // warm up
  let rounds = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  do {
    for (const m of messages) parseMessage(m);
    rounds++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  } while (elapsed < minMs);
  const secs = elapsed / 1000;
  let metaBytes = 0;
  let decodeMs = 0;
  for (const m of messages) {
    const rec = encodeMeta(parseMessage(m));
    metaBytes += rec.length;
    const t = process.hrtime.bigint();
    decodeMeta(rec);
    decodeMs += Number(process.hrtime.bigint() - t) / 1e6;
  }
  console.log(`${label}: ${messages.length} messages, ${bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`}`);
  console.log(`  parse:  ${((bytes * rounds) / 1e6 / secs).toFixed(1)} MB/s, ${Math.round((messages.length * rounds) / secs)} messages/s`);
  console.log(`  record: ${(metaBytes / messages.length).toFixed(0)} bytes/message average, ${((metaBytes / bytes) * 100).toFixed(2)}% of message size`);
  console.log(`  decodeMeta: ${Math.round(messages.length / (decodeMs / 1000))} records/s`);
}

const corpus = readdirSync(FIXTURES).filter((f) => f.endsWith('.eml')).sort().map((f) => readFileSync(join(FIXTURES, f)));
measure('fixture corpus', corpus, 2000);
measure(`generated mailbox`, generate(GENERATED), 3000);
