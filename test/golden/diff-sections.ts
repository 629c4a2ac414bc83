/** Shows section answers that differ from Dovecot's: node --import tsx test/golden/diff-sections.ts [filter] */
import { readFileSync, readdirSync } from 'node:fs';
import { renderSections } from './sections.ts';
const only = process.argv[2];
for (const f of readdirSync('test/fixtures/messages').filter((x) => x.endsWith('.eml')).sort()) {
  if (only !== undefined && !f.includes(only)) continue;
  const o = renderSections(readFileSync('test/fixtures/messages/' + f)).split('\n');
  const t = readFileSync('test/golden/sections/' + f.replace('.eml', '.txt'), 'latin1').split('\n');
  o.forEach((l, i) => {
    if (l !== t[i]) console.log(`${f}\n  ours    ${l}\n  dovecot ${t[i]}`);
  });
}
