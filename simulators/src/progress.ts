import type { FleetStats } from './device.ts';

export interface ProgressSnapshot extends FleetStats {
  total: number;
  elapsedMs: number;
  /** Acknowledged messages per second over the last interval. */
  ackRate: number;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export function formatProgress(s: ProgressSnapshot): string {
  return `${(s.elapsedMs / 1000).toFixed(0).padStart(4)} s | connected ${fmt(s.connected)}/${fmt(s.total)} | ${fmt(s.ackRate)} msg/s | sent ${fmt(s.sent)} acked ${fmt(s.acked)} | errors ${fmt(s.errors)} | reconnects ${fmt(s.reconnects)}`;
}

export interface ProgressOptions {
  total: number;
  stream?: NodeJS.WriteStream;
  /** Refresh of the single updating line on a TTY (default 250 ms). */
  ttyIntervalMs?: number;
  /** Interval of printed lines when not a TTY (default 5 s). */
  lineIntervalMs?: number;
}

/** Live progress: a single updating line on a TTY, a line every few seconds otherwise. */
export function startProgress(stats: FleetStats, o: ProgressOptions): { stop(): void } {
  const stream = o.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const t0 = performance.now();
  let lastT = t0;
  let lastAcked = stats.acked;
  const print = (final: boolean) => {
    const t = performance.now();
    const ackRate = ((stats.acked - lastAcked) * 1000) / Math.max(1, t - lastT);
    lastT = t;
    lastAcked = stats.acked;
    const line = formatProgress({ ...stats, total: o.total, elapsedMs: t - t0, ackRate });
    if (tty) stream.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
    else stream.write(`${line}\n`);
  };
  const timer = setInterval(() => print(false), tty ? (o.ttyIntervalMs ?? 250) : (o.lineIntervalMs ?? 5000));
  return {
    stop() {
      clearInterval(timer);
      print(true);
    },
  };
}
