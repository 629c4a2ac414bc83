/**
 * Child process for sqlite.test.ts: a second process writing to the same database, as `mailroom deliver`
 * does while the daemon runs. `deliver DIR N` appends N messages to alice's INBOX one by one and prints
 * `ok <uid>` after each append resolved (that is, after it is durable).
 */
import { createSqliteBackend } from './index.ts';

const [command, dir, count] = process.argv.slice(2);
if (command !== 'deliver' || !dir) {
  process.stderr.write('usage: test-child.ts deliver DIR N\n');
  process.exit(64);
}
const backend = createSqliteBackend({ path: dir });
const user = await backend.openUser('alice', { protocol: 'cli', secure: true });
if (!user) {
  process.stderr.write('no account alice\n');
  process.exit(67);
}
const n = Number(count);
for (let i = 0; i < n; i++) {
  const next = (await user.status('INBOX')).uidNext;
  const body = `From: child@example.org\r\nSubject: child ${next}\r\n\r\n${'payload '.repeat(200)}\r\n`;
  const { uids } = await user.append('INBOX', [{ content: Buffer.from(body) }]);
  process.stdout.write(`ok ${uids[0]}\n`);
}
await backend.close();
