/**
 * Server resource accounting from /proc (Linux only): CPU seconds and memory of a server process and all
 * of its descendants. Dovecot is a family of processes (master, login, one `imap` per session, auth ...),
 * Mailroom is one process: both are measured as "the process tree rooted at the PID we started", so the
 * figures compare like with like.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Kernel clock ticks per second (USER_HZ), used to turn /proc/PID/stat ticks into seconds. */
const CLOCK_TICKS: number = (() => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100; // the value on every mainstream Linux architecture
  }
})();

/** Interval of the memory sampler: frequent enough to catch a peak lasting a fraction of a second, cheap enough not to steal CPU. */
export const MEMORY_SAMPLE_INTERVAL_MS = 250;

interface StatFields {
  ppid: number;
  /** utime + stime + cutime + cstime in ticks: the process's own CPU plus that of its reaped children. */
  ticks: number;
}

function readStat(pid: number): StatFields | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null; // the process exited between listing and reading
  }
  // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const ppid = Number(rest[1]);
  const ticks = Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]);
  return { ppid, ticks };
}

/** Every live PID in the tree rooted at `root` (root included), from one scan of /proc. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(name);
    const stat = readStat(pid);
    if (!stat) continue;
    let list = children.get(stat.ppid);
    if (!list) children.set(stat.ppid, (list = []));
    list.push(pid);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    out.push(pid);
    const kids = children.get(pid);
    if (kids) stack.push(...kids);
  }
  return out;
}

/**
 * CPU seconds used so far by the tree rooted at `root`. Counting utime+stime+cutime+cstime of every live
 * process counts each CPU tick exactly once: an exited child's ticks move into its parent's cutime/cstime
 * when it is reaped, and a live child's are not in its parent's yet. (A child that exited but was not yet
 * reaped is missed for a moment; Dovecot's master reaps at once.)
 */
export function treeCpuSeconds(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) {
    const stat = readStat(pid);
    if (stat) ticks += stat.ticks;
  }
  return ticks / CLOCK_TICKS;
}

function statusKiB(pid: number, key: string): number {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'latin1');
    const at = text.indexOf(`${key}:`);
    if (at < 0) return 0;
    return parseInt(text.slice(at + key.length + 1), 10) || 0;
  } catch {
    return 0;
  }
}

function pssKiB(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
    const at = text.indexOf('\nPss:');
    if (at < 0) return 0;
    return parseInt(text.slice(at + 5), 10) || 0;
  } catch {
    return 0;
  }
}

/** One memory sample of a process tree, in KiB. */
export interface MemorySample {
  /** Sum of VmRSS: counts shared pages (libraries, Dovecot's shared index mmaps) once per process. */
  rssKiB: number;
  /** Sum of PSS (proportional set size): shared pages divided among their users, the fair total for many processes. */
  pssKiB: number;
  processes: number;
}

/** Current memory of the tree rooted at `root`. */
export function treeMemory(root: number): MemorySample {
  let rss = 0;
  let pss = 0;
  const pids = processTree(root);
  for (const pid of pids) {
    rss += statusKiB(pid, 'VmRSS');
    pss += pssKiB(pid);
  }
  return { rssKiB: rss, pssKiB: pss, processes: pids.length };
}

/** Peak resident memory of the root process alone (VmHWM), in KiB. */
export function peakRssKiB(pid: number): number {
  return statusKiB(pid, 'VmHWM');
}

/** Figures of one measured interval. */
export interface ResourceUsage {
  /** Server CPU seconds (user + system) spent during the interval, all processes of the tree. */
  cpuSeconds: number;
  /** Highest sampled sum of RSS over the tree; for a single process also at least its VmHWM. */
  peakRssMiB: number;
  /** Highest sampled sum of PSS over the tree. */
  peakPssMiB: number;
  /** Most processes seen in the tree at one sample. */
  peakProcesses: number;
}

/**
 * Measures the server tree rooted at `root` between `start()` and `stop()`: CPU seconds by difference,
 * memory by sampling every MEMORY_SAMPLE_INTERVAL_MS (plus one sample at each end).
 */
export class ResourceMeter {
  private cpuAtStart = 0;
  private peakRss = 0;
  private peakPss = 0;
  private peakProcs = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly root: number) {}

  /** Begin the interval. */
  start(): void {
    this.cpuAtStart = treeCpuSeconds(this.root);
    this.peakRss = 0;
    this.peakPss = 0;
    this.peakProcs = 0;
    this.sample();
    this.timer = setInterval(() => this.sample(), MEMORY_SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  /** Take a memory sample now (also called by the timer). */
  sample(): MemorySample {
    const m = treeMemory(this.root);
    if (m.rssKiB > this.peakRss) this.peakRss = m.rssKiB;
    if (m.pssKiB > this.peakPss) this.peakPss = m.pssKiB;
    if (m.processes > this.peakProcs) this.peakProcs = m.processes;
    return m;
  }

  /** End the interval and return its figures. */
  stop(): ResourceUsage {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const cpu = treeCpuSeconds(this.root) - this.cpuAtStart;
    let rss = this.peakRss;
    if (this.peakProcs <= 1) rss = Math.max(rss, peakRssKiB(this.root));
    return {
      cpuSeconds: cpu,
      peakRssMiB: rss / 1024,
      peakPssMiB: this.peakPss / 1024,
      peakProcesses: this.peakProcs,
    };
  }
}
