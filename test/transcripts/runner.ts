/**
 * Golden transcript runner. A transcript is a text file of lines:
 *
 *   # comment                       ignored
 *   #! option=value                 ImapServer option (booleans and numbers), before the first exchange
 *   C: a1 LOGIN alice password      client line for session 1 (CRLF appended); `C2:` for session 2 ...
 *   S: a1 OK [CAPABILITY IMAP4rev1] Logged in   exact server line for session 1; `S2:` for session 2
 *   S: * OK [UIDVALIDITY {*}] UIDs valid        `{*}` matches any non-empty text (random values)
 *   X: 1                            session 1 must now be closed by the server
 *
 * Consecutive C lines are sent together (pipelining). Each S line must be the NEXT line the session
 * receives, so extra, missing or reordered responses all fail. Every session's greeting is checked to
 * start with "* OK" and otherwise skipped, unless the first expected line of that session is a greeting.
 */
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { RawClient, startServer } from './harness.ts';

interface Step {
  readonly kind: 'C' | 'S' | 'X';
  readonly session: number;
  readonly text: string;
  readonly line: number;
}

/** Parse a transcript file. */
export function parseTranscript(text: string): { options: Record<string, unknown>; steps: Step[] } {
  const options: Record<string, unknown> = {};
  const steps: Step[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith('#!')) {
      const [k, v] = line.slice(2).trim().split('=');
      options[k] = v === 'true' ? true : v === 'false' ? false : Number.isNaN(Number(v)) ? v : Number(v);
      return;
    }
    if (line.trim() === '' || line.startsWith('#')) return;
    const m = /^([CSX])(\d*): ?(.*)$/.exec(line);
    if (!m) throw new Error(`transcript line ${i + 1}: cannot parse ${JSON.stringify(line)}`);
    steps.push({ kind: m[1] as Step['kind'], session: m[2] ? Number(m[2]) : 1, text: m[3], line: i + 1 });
  });
  return { options, steps };
}

function matcher(expected: string): RegExp {
  const parts = expected.split('{*}').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp('^' + parts.join('.+?') + '$', 's');
}

/** Run one transcript file against a fresh server. */
export async function runTranscript(path: string): Promise<void> {
  const { options, steps } = parseTranscript(readFileSync(path, 'utf8'));
  const srv = await startServer(options);
  const clients = new Map<number, RawClient>();
  const client = async (n: number, firstExpected: string | null): Promise<RawClient> => {
    let c = clients.get(n);
    if (!c) {
      c = await RawClient.connect(srv.port);
      clients.set(n, c);
      if (firstExpected === null || !firstExpected.startsWith('* OK [CAPABILITY')) {
        const greeting = await c.line();
        assert.ok(greeting?.startsWith('* OK'), `session ${n} greeting: ${greeting}`);
      }
    }
    return c;
  };
  try {
    for (const step of steps) {
      const c = await client(step.session, step.kind === 'S' ? step.text : null);
      if (step.kind === 'C') c.write(step.text + '\r\n');
      else if (step.kind === 'S') {
        const got = await c.line();
        assert.ok(got !== null, `line ${step.line}: connection closed, expected ${JSON.stringify(step.text)}`);
        assert.match(got, matcher(step.text), `line ${step.line}: session ${step.session}`);
      } else {
        const got = await c.line();
        assert.equal(got, null, `line ${step.line}: expected session ${step.session} to be closed`);
      }
    }
  } finally {
    for (const c of clients.values()) c.end();
    await srv.close();
  }
}
