/**
 * The capability test: every capability the server can advertise (in any state, over TLS or not, before
 * and after COMPRESS, with either LITERAL option) must be listed in test/capabilities.json with test files
 * that exist, are run by the suite (a *.test.ts, or a transcript the transcript runner picks up) and
 * mention the capability. Advertising a capability without its tests fails here (issue 6).
 *
 * When you add an extension: add its capability -> test files to test/capabilities.json (a capability with
 * a parameter, APPENDLIMIT=<n>, may be listed by its name alone).
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from 'selfsigned';
import { ImapServer } from '../src/imap/server.ts';
import { defaultExtensions } from '../src/imap/extensions/index.ts';
import { createMemoryBackend } from '../src/store/memory/index.ts';
import { RawClient } from './transcripts/harness.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const registry = JSON.parse(readFileSync(join(root, 'test/capabilities.json'), 'utf8')) as Record<string, string[]>;

/** `* OK [CAPABILITY a b c] ...` or `* CAPABILITY a b c` or `tag OK [CAPABILITY ...]` -> names. */
function capsOf(line: string | null): string[] {
  assert.ok(line, 'expected a capability line');
  const m = /\[CAPABILITY ([^\]]+)\]/.exec(line) ?? /^\* CAPABILITY (.+)$/.exec(line);
  assert.ok(m, `no capability list in ${line}`);
  return m[1].split(' ');
}

/** Text a test file must contain to count as testing `cap`. */
function mentions(cap: string): string[] {
  if (cap.startsWith('AUTH=')) return [cap, `AUTHENTICATE ${cap.slice(5)}`];
  const eq = cap.indexOf('=');
  return eq > 0 ? [cap, cap.slice(0, eq)] : [cap];
}

const advertised = new Set<string>();

describe('capability registry', () => {
  before(async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }],
    });
    const backend = createMemoryBackend({ users: { alice: 'password' } });
    // Real connections: before login over plaintext (STARTTLS, LOGINDISABLED), before login where
    // plaintext auth is allowed (AUTH=...), after login.
    for (const options of [{ loopbackIsSecure: false, tls: { key: pems.private, cert: pems.cert } }, {}]) {
      const server = new ImapServer({ backend, authFailureDelay: 0, ...options });
      const { port } = await server.listen(0, '127.0.0.1');
      const c = await RawClient.connect(port);
      try {
        for (const cap of capsOf(await c.line())) advertised.add(cap);
        if (!('tls' in options)) {
          const r = await c.command('a', 'LOGIN alice password');
          for (const cap of capsOf(r[r.length - 1])) advertised.add(cap);
          for (const cap of capsOf((await c.command('b', 'CAPABILITY'))[0])) advertised.add(cap);
        }
      } finally {
        c.end();
        await server.close();
      }
    }
    // Every extension in every connection situation, with both LITERAL options.
    for (const literalPlus of ['LITERAL+', 'LITERAL-'] as const) {
      for (const ext of defaultExtensions({ backend, literalPlus })) {
        for (const state of ['notAuthenticated', 'authenticated', 'selected']) {
          for (const secure of [false, true]) {
            for (const compressed of [false, true]) {
              for (const cap of ext.capabilities?.({ id: 'x', state, secure, compressed, loopback: true }) ?? []) advertised.add(cap);
            }
          }
        }
        for (const mech of Object.keys(ext.mechanisms ?? {})) advertised.add(`AUTH=${mech.toUpperCase()}`);
      }
    }
    await backend.close();
  });

  test('every advertisable capability has registered tests that exist, run, and mention it', () => {
    assert.ok(advertised.has('IMAP4rev1') && advertised.size > 5, 'capabilities were collected');
    const problems: string[] = [];
    for (const cap of [...advertised].sort()) {
      // Parameterized capabilities (APPENDLIMIT=<n>) may be registered by their name alone.
      const files = registry[cap] ?? (cap.includes('=') ? registry[cap.slice(0, cap.indexOf('='))] : undefined);
      if (!files || files.length === 0) {
        problems.push(`${cap}: advertised but not in test/capabilities.json`);
        continue;
      }
      let mentioned = false;
      for (const file of files) {
        const path = join(root, file);
        const runs = file.endsWith('.test.ts') || (file.startsWith('test/transcripts/') && file.endsWith('.txt'));
        if (!runs) problems.push(`${cap}: ${file} is not run by the test suite`);
        if (!existsSync(path)) {
          problems.push(`${cap}: ${file} does not exist`);
          continue;
        }
        const text = readFileSync(path, 'latin1').toUpperCase();
        if (mentions(cap).some((m) => text.includes(m.toUpperCase()))) mentioned = true;
      }
      if (!mentioned) problems.push(`${cap}: none of ${files.join(', ')} mentions ${mentions(cap).join(' or ')}`);
    }
    assert.deepEqual(problems, []);
  });

  test('registry entries point at existing test files', () => {
    const missing = Object.entries(registry).flatMap(([cap, files]) =>
      files.filter((f) => !existsSync(join(root, f))).map((f) => `${cap}: ${f}`),
    );
    assert.deepEqual(missing, []);
  });
});
