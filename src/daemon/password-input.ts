/**
 * Reading a new password for `user add|passwd`: from the terminal without echo, or from standard input
 * (`--password-stdin`, for scripts: the first line, without its line ending).
 */
import { CliError, ExitCode } from './exit-codes.ts';

/** Longest password accepted: scrypt hashes anything, but a megabyte "password" is a mistake. */
export const MAX_PASSWORD_LENGTH = 1024;

/** Read all of a stream (standard input) into one Buffer, refusing more than `limit` bytes. */
export async function readAll(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > limit) throw new CliError(ExitCode.dataError, `input larger than ${limit} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size);
}

function checkPassword(password: string): string {
  if (password.length === 0) throw new CliError(ExitCode.dataError, 'empty password');
  if (password.length > MAX_PASSWORD_LENGTH) throw new CliError(ExitCode.dataError, `password longer than ${MAX_PASSWORD_LENGTH} characters`);
  return password;
}

/** First line of standard input. */
export async function passwordFromStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const text = (await readAll(stdin, MAX_PASSWORD_LENGTH * 4 + 2)).toString('utf8');
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  return checkPassword(line);
}

function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    // Echo off before the prompt appears: whatever is typed after it must never be echoed.
    stdin.setRawMode(true);
    process.stderr.write(prompt);
    let value = '';
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (err: Error | null) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003' || ch === '\u0004') return done(new CliError(ExitCode.usage, 'cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Ask twice on the terminal without echo; refuse when standard input is not a terminal. */
export async function passwordFromTerminal(): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new CliError(ExitCode.usage, 'standard input is not a terminal: pass the password with --password-stdin');
  }
  const first = checkPassword(await promptHidden('New password: '));
  const second = await promptHidden('Repeat password: ');
  if (first !== second) throw new CliError(ExitCode.dataError, 'passwords do not match');
  return first;
}
