/** Shows where our ENVELOPE/BODY/BODYSTRUCTURE differ from Dovecot's goldens: node --import tsx test/golden/diff.ts [name-filter] */
import { readFileSync, readdirSync } from 'node:fs';
import { renderGolden } from './render.ts';
const only = process.argv[2];
for (const f of readdirSync('test/fixtures/messages').filter((x) => x.endsWith('.eml')).sort()) {
  if (only && !f.includes(only)) continue;
  const ours = renderGolden(readFileSync('test/fixtures/messages/' + f)).toString('latin1').split('\n');
  const theirs = readFileSync('test/golden/' + f.replace('.eml', '.txt')).toString('latin1').split('\n');
  for (let i = 0; i < Math.max(ours.length, theirs.length); i++) {
    if (ours[i] !== theirs[i]) {
      let j = 0; while (j < 100000 && ours[i]?.[j] === theirs[i]?.[j]) j++;
      console.log(`${f} line ${i}:\n  dov: ${JSON.stringify(theirs[i]?.slice(Math.max(0,j-60), j+100))}\n  our: ${JSON.stringify(ours[i]?.slice(Math.max(0,j-60), j+100))}`);
    }
  }
}
