/** Bucket upper bounds in ms (Prometheus style: cumulative counts are derived on read). */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000] as const;

export interface LatencySnapshot {
  /** Upper bounds, ms; the last implicit bucket is +Inf. */
  bucketsMs: readonly number[];
  /** Cumulative counts per bucket (`le`), then +Inf as the last entry (= count). */
  cumulative: number[];
  count: number;
  sumMs: number;
  maxMs: number;
}

/** A fixed-bucket latency histogram: O(buckets) per observation, no allocation. */
export class LatencyHistogram {
  private readonly counts = new Float64Array(LATENCY_BUCKETS_MS.length + 1);
  private count = 0;
  private sumMs = 0;
  private maxMs = 0;

  observe(ms: number, times = 1): void {
    const v = ms < 0 ? 0 : ms;
    let i = 0;
    while (i < LATENCY_BUCKETS_MS.length && v > LATENCY_BUCKETS_MS[i]!) i++;
    this.counts[i]! += times;
    this.count += times;
    this.sumMs += v * times;
    if (v > this.maxMs) this.maxMs = v;
  }

  snapshot(): LatencySnapshot {
    const cumulative: number[] = [];
    let acc = 0;
    for (const c of this.counts) cumulative.push((acc += c));
    return { bucketsMs: LATENCY_BUCKETS_MS, cumulative, count: this.count, sumMs: Math.round(this.sumMs), maxMs: this.maxMs };
  }
}
