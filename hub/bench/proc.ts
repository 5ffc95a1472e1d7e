import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@gridhub/testkit';

let built = false;

/**
 * The hub as `npm start` runs it (the root package.json's start script, after its build step):
 * builds hub/dist/main.mjs (once per process), returns node's arguments with the same flags.
 * Benchmarks and process tests measure the production launch, not the tsx one.
 */
export function productionHubArgs(root: string): string[] {
  if (!built) {
    execFileSync(process.execPath, [join(root, 'hub', 'scripts', 'build.mjs')], { cwd: root, stdio: 'ignore' });
    built = true;
  }
  const start = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [node, ...args] = start.split('&&').at(-1)!.trim().split(/\s+/);
  if (node !== 'node') throw new Error(`the start script does not end with a node command: ${start}`);
  return args;
}

export interface HubProcess {
  child: ChildProcess;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** stdout and stderr so far (only with `capture`; else stderr goes to ours). */
  output(): string;
}

/**
 * Starts the production hub as its own process with `env` (on top of ours) and resolves once
 * `/api/health` on `httpPort` answers; rejects at once, with what it printed, if it exits first.
 */
export async function startProductionHub(root: string, env: Record<string, string>, opts: { httpPort: number; timeoutMs?: number; capture?: boolean }): Promise<HubProcess> {
  const child = spawn(process.execPath, productionHubArgs(root), {
    cwd: root,
    // The demo simulation only where a caller asks for it (tests and benches bring their own load).
    env: { ...process.env, HUB_LOG_LEVEL: 'warn', HUB_DEMO_SIMULATION: '0', ...env },
    stdio: ['ignore', opts.capture ? 'pipe' : 'ignore', opts.capture ? 'pipe' : 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => void (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => void (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await Promise.race([
    exited.then((code) => Promise.reject(new Error(`the hub exited with ${code} before it was ready${out ? `:\n${out}` : ''}`))),
    waitFor(async () => (await fetch(`http://127.0.0.1:${opts.httpPort}/api/health`)).ok, opts.timeoutMs ?? 60_000, 'hub process ready'),
  ]);
  return { child, exited, output: () => out };
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

/** One unlabelled sample of a Prometheus text exposition (NaN when absent). */
export function metricValue(text: string, name: string): number {
  return Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
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
