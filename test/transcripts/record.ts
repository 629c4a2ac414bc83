/**
 * Development aid: `node --import tsx test/transcripts/record.ts FILE` runs the C lines of a transcript
 * and prints the transcript with the server lines the current server produces, for review before it
 * is committed as golden. Not used by the tests.
 */
import { readFileSync } from 'node:fs';
import { RawClient, startServer } from './harness.ts';
import { parseTranscript } from './runner.ts';

const file = process.argv[2];
const text = readFileSync(file, 'utf8');
const { options, steps } = parseTranscript(text);
const srv = await startServer(options);
const clients = new Map<number, RawClient>();
const out: string[] = text.split('\n').filter((l) => l.startsWith('#'));
const drain = async (n: number, c: RawClient): Promise<void> => {
  for (;;) {
    const got = await c.lineWithin(400);
    if (got === undefined) return;
    if (got === null) {
      out.push(`X${n === 1 ? '' : n}: ${n}`);
      return;
    }
    out.push(`S${n === 1 ? '' : n}: ${got}`);
  }
};
for (let i = 0; i < steps.length; i++) {
  const s = steps[i];
  if (s.kind !== 'C') continue;
  let c = clients.get(s.session);
  if (!c) {
    c = await RawClient.connect(srv.port);
    clients.set(s.session, c);
    await c.line();
  }
  out.push(`C${s.session === 1 ? '' : s.session}: ${s.text}`);
  c.write(s.text + '\r\n');
  await drain(s.session, c);
}
for (const c of clients.values()) c.end();
await srv.close();
console.log(out.join('\n'));
