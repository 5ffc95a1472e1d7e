import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The hub as `npm start` runs it (the root package.json's start script, after its build step):
 * builds hub/dist/main.mjs, returns node's arguments with the same flags. Benchmarks measure the
 * production launch, not the tsx one.
 */
export function productionHubArgs(root: string): string[] {
  execFileSync(process.execPath, [join(root, 'hub', 'scripts', 'build.mjs')], { cwd: root, stdio: 'ignore' });
  const start = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [node, ...args] = start.split('&&').at(-1)!.trim().split(/\s+/);
  if (node !== 'node') throw new Error(`the start script does not end with a node command: ${start}`);
  return args;
}

/** CPU time (user+system, ms) and resident memory (MiB) of a process, from /proc. */
export function procSample(pid: number): { cpuMs: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100/s)
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuMs: ticks * 10, rssMb: rss ? Number(rss[1]) / 1024 : 0 };
}

/** CPU use between two samples as % of one core. */
export function cpuPct(a: { cpuMs: number }, b: { cpuMs: number }, elapsedMs: number): number {
  return Math.round(((b.cpuMs - a.cpuMs) / elapsedMs) * 100);
}

/** Quantile from cumulative Prometheus histogram buckets (le in seconds -> ms), linear within a bucket. */
export function histogramQuantile(buckets: { le: number; count: number }[], q: number): number {
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return prevLe * 1000;
      const within = b.count === prevCount ? 0 : (rank - prevCount) / (b.count - prevCount);
      return (prevLe + (b.le - prevLe) * within) * 1000;
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe * 1000;
}

/** Reads one histogram's cumulative buckets from Prometheus text. */
export function parseHistogram(text: string, name: string): { le: number; count: number }[] {
  const re = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)`, 'gm');
  return [...text.matchAll(re)].map((m) => ({ le: m[1] === '+Inf' ? Infinity : Number(m[1]), count: Number(m[2]) }));
}

/** Bucket-wise difference of two cumulative histograms (what happened between two scrapes). */
export function histogramDelta(after: { le: number; count: number }[], before: { le: number; count: number }[]) {
  return after.map((b, i) => ({ le: b.le, count: b.count - (before[i]?.count ?? 0) }));
}

/** The q-quantile of samples already sorted ascending (nearest rank); NaN when there are none. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}
