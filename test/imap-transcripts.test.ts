/** Runs every golden transcript in test/transcripts/ against a fresh server (see runner.ts for the format). */
import { test, describe } from 'node:test';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTranscript } from './transcripts/runner.ts';

const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'transcripts');

describe('IMAP golden transcripts', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
    test(file, () => runTranscript(join(dir, file)));
  }
});
