/**
 * Summarise V8 CPU profiles (`.cpuprofile`, e.g. from BENCH_CPU_PROF_DIR=dir, see lib/servers.ts): the
 * functions with the most self time, and the source files with the most self time, to find hot paths.
 *
 *   node --import tsx bench/profile-summary.ts [--top 25] [--under FUNCTION] FILE.cpuprofile...
 *
 * `--under executeFetch` keeps only the samples whose stack contains a function of that name, to see where
 * one command's time goes in a profile that also holds the population phase.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time in ms per function and per file of one profile. */
export function summarise(profile: Profile, under: string | null = null): { fn: Map<string, number>; file: Map<string, number>; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inside = new Map<number, boolean>();
  const isUnder = (id: number): boolean => {
    if (under === null) return true;
    const known = inside.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    const p = parent.get(id);
    const v = node?.callFrame.functionName === under || (p !== undefined && isUnder(p));
    inside.set(id, v);
    return v;
  };
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  let totalMs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (!node || !isUnder(node.id)) continue;
    totalMs += ms;
    const f = node.callFrame;
    const where = f.url ? f.url.replace(/^file:\/\/.*?\/(src|node_modules)\//, '$1/') : '(native)';
    const key = `${f.functionName || '(anonymous)'} ${where}:${f.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + ms);
    file.set(where, (file.get(where) ?? 0) + ms);
  }
  return { fn, file, totalMs };
}

function top(map: Map<string, number>, n: number, total: number): string[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, ms]) => `${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${k}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  let n = 25;
  let under: string | null = null;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--top') n = Number(args[++i]);
    else if (args[i] === '--under') under = args[++i];
    else files.push(args[i]);
  }
  for (const f of files) {
    const s = summarise(JSON.parse(readFileSync(f, 'utf8')) as Profile, under);
    console.log(`# ${f}: ${s.totalMs.toFixed(0)} ms sampled\n## self time by function`);
    for (const l of top(s.fn, n, s.totalMs)) console.log(l);
    console.log('## self time by file');
    for (const l of top(s.file, n, s.totalMs)) console.log(l);
  }
}
