/** Command-line flags, latency statistics, tables, ratios against Dovecot, and JSON results. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import os from 'node:os';

/** Where results are written (gitignored except .gitkeep). */
export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/** `--name value`, `--name=value` and bare `--flag` (value "true"). */
export function parseFlags(argv: string[] = process.argv.slice(2)): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags.set(a.slice(2), argv[++i]);
    else flags.set(a.slice(2), 'true');
  }
  return flags;
}

/** A numeric flag within [min, max]. */
export function intFlag(flags: Map<string, string>, name: string, def: number, min: number, max: number): number {
  const v = flags.get(name);
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in [${min}, ${max}], got ${v}`);
  return n;
}

/** Latency recorder: keeps every sample (bounded by the benchmark's own bounded loops). */
export class Latencies {
  private samples: number[] = [];
  private sorted = true;

  /** Add one duration in milliseconds. */
  add(ms: number): void {
    this.samples.push(ms);
    this.sorted = false;
  }

  /** Add every sample of another recorder. */
  addAll(other: Latencies): void {
    for (const v of other.samples) this.samples.push(v);
    this.sorted = false;
  }

  /** Number of samples. */
  get count(): number {
    return this.samples.length;
  }

  /** The q-quantile (0..1) in ms, nearest-rank; NaN when empty. */
  quantile(q: number): number {
    if (this.samples.length === 0) return NaN;
    if (!this.sorted) {
      this.samples.sort((a, b) => a - b);
      this.sorted = true;
    }
    const idx = Math.min(this.samples.length - 1, Math.max(0, Math.ceil(q * this.samples.length) - 1));
    return this.samples[idx];
  }
}

/** Format a number for a table: 3 significant figures, thousands without exponent. */
export function fmt(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '-';
  if (!Number.isFinite(n)) return 'inf';
  const a = Math.abs(n);
  if (a >= 1000) return Math.round(n).toString();
  if (a >= 100) return n.toFixed(0);
  if (a >= 10) return n.toFixed(1);
  if (a >= 1) return n.toFixed(2);
  if (a === 0) return '0';
  return n.toPrecision(2);
}

/** Print a table with a header row; columns are padded to their widest cell. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

/** `value / reference` as "1.23x", or "-" when either is missing. */
export function ratio(value: number | null | undefined, reference: number | null | undefined): string {
  if (value === null || value === undefined || reference === null || reference === undefined) return '-';
  if (!Number.isFinite(value) || !Number.isFinite(reference) || reference === 0) return '-';
  return `${(value / reference).toFixed(2)}x`;
}

/** Write a result object to bench/results/<name>-<ISO time>.json and return the path. */
export function writeResults(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = join(RESULTS_DIR, `${name}-${stamp}.json`);
  writeFileSync(path, JSON.stringify({ machine: machineInfo(), ...(data as object) }, null, 2) + '\n');
  return path;
}

/**
 * What the figures depend on: CPU count and model, memory, Node version and the load average (this machine
 * is shared, so a high load average at the time of a run explains noisy figures).
 */
export function machineInfo(): { cpus: number; cpuModel: string; memGiB: number; node: string; loadavg: number[] } {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** Run `fn` with a hard deadline; rejects with a clear message when exceeded. */
export async function withTimeout<T>(what: string, ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
