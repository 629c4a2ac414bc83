/**
 * A small progress renderer for the CLI (`mailroom import`): on a terminal one line redrawn with `\r`, otherwise
 * plain lines (log files and pipes must not fill up with carriage returns).
 */

/** Width of the bar in characters. */
const BAR_WIDTH = 30;

/** Non-TTY output prints a line at most every this many percent, so a log gets about ten lines per import. */
const PLAIN_STEP_PERCENT = 10;

/** The subset of a writable stream the renderer needs (process.stderr fits). */
export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

/** A progress display: call `update` as work is done, `done` once at the end. */
export interface ProgressRenderer {
  update(done: number, total: number): void;
  /** Print the final state and end the line. */
  done(summary?: string): void;
}

/** Render `done/total` as a bar line, e.g. `import [#####.....] 50% 500/1000`. */
export function formatProgress(label: string, done: number, total: number): string {
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.round(ratio * BAR_WIDTH);
  const percent = Math.floor(ratio * 100);
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(percent).padStart(3)}% ${done}/${total}`;
}

/** Create a renderer writing to `stream` (a TTY gets `\r` redraws, anything else plain lines). */
export function createProgress(stream: ProgressStream, label = 'import'): ProgressRenderer {
  const tty = stream.isTTY === true;
  let lastLine = '';
  let lastPlainStep = -1;
  let lastPercent = -1;
  let last = { done: 0, total: 0 };
  return {
    update(done, total) {
      last = { done, total };
      const line = formatProgress(label, done, total);
      if (tty) {
        // Redraw when the percentage moves (or at the end): a million-message import must not write a million
        // updates to the terminal.
        const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
        if (percent !== lastPercent || (done === total && line !== lastLine)) {
          stream.write(`\r${line}`);
          lastLine = line;
          lastPercent = percent;
        }
        return;
      }
      const step = total > 0 ? Math.floor((done / total) * (100 / PLAIN_STEP_PERCENT)) : 0;
      if (step !== lastPlainStep) {
        lastPlainStep = step;
        stream.write(`${line}\n`);
        lastLine = line;
      }
    },
    done(summary) {
      const final = formatProgress(label, last.done, last.total);
      if (tty) stream.write(final === lastLine ? '\n' : `\r${final}\n`);
      else if (final !== lastLine) stream.write(`${final}\n`);
      lastLine = final;
      if (summary !== undefined) stream.write(`${summary}\n`);
    },
  };
}
