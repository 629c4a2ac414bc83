import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress, formatProgress } from './progress.ts';

function sink(isTTY: boolean): { stream: { isTTY: boolean; write(s: string): boolean }; text: () => string } {
  let out = '';
  return { stream: { isTTY, write: (s: string) => ((out += s), true) }, text: () => out };
}

void test('formatProgress draws a bar with percent and counts', () => {
  assert.equal(formatProgress('import', 5, 10), `import [${'#'.repeat(15)}${'.'.repeat(15)}]  50% 5/10`);
  assert.equal(formatProgress('x', 0, 0), `x [${'#'.repeat(30)}] 100% 0/0`);
});

void test('a TTY gets \\r redraws, once per percent, and a final newline', () => {
  const { stream, text } = sink(true);
  const p = createProgress(stream, 'import');
  for (let i = 0; i <= 1000; i++) p.update(i, 1000);
  p.done('1000 imported');
  const out = text();
  const redraws = out.split('\r').length - 1;
  assert.ok(redraws > 1 && redraws <= 101, `${redraws} redraws`);
  assert.ok(out.endsWith(`${formatProgress('import', 1000, 1000)}\n1000 imported\n`));
  assert.equal(out.split('\n').length, 3);
});

void test('a pipe gets plain lines, about one per 10%', () => {
  const { stream, text } = sink(false);
  const p = createProgress(stream, 'import');
  for (let i = 0; i <= 1000; i++) p.update(i, 1000);
  p.done();
  const lines = text().trimEnd().split('\n');
  assert.ok(!text().includes('\r'));
  assert.equal(lines.length, 11);
  assert.equal(lines.at(-1), formatProgress('import', 1000, 1000));
});
