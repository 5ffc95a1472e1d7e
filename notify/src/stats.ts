/** Plain counters per channel type; the hub's /metrics reads them at scrape time. */
export interface ChannelCounters {
  attempts: number;
  delivered: number;
  failures: number;
  retries: number;
  digestMerges: number;
  dead: number;
  /** Event commit -> provider accepted, ms, every delivery (bounded sample for quantiles). */
  latencyMs: number[];
  latencySumMs: number;
  latencyCount: number;
}

const SAMPLE = 2000;

export class NotifyStats {
  readonly byType = new Map<string, ChannelCounters>();
  enqueued = 0;
  cancelled = 0;
  /** Later detectors' pages merged into an earlier page (one message per fire). */
  mergedPages = 0;
  consumerLag = 0;

  #c(type: string): ChannelCounters {
    let c = this.byType.get(type);
    if (!c) this.byType.set(type, (c = { attempts: 0, delivered: 0, failures: 0, retries: 0, digestMerges: 0, dead: 0, latencyMs: [], latencySumMs: 0, latencyCount: 0 }));
    return c;
  }

  attempt(type: string, retry: boolean): void {
    const c = this.#c(type);
    c.attempts++;
    if (retry) c.retries++;
  }

  delivered(type: string, latencies: number[]): void {
    const c = this.#c(type);
    c.delivered += latencies.length;
    for (const l of latencies) {
      c.latencySumMs += l;
      c.latencyCount++;
      if (c.latencyMs.length >= SAMPLE) c.latencyMs.shift();
      c.latencyMs.push(l);
    }
  }

  failed(type: string): void {
    this.#c(type).failures++;
  }

  merged(type: string, n: number): void {
    this.#c(type).digestMerges += n;
  }

  dead(type: string, n: number): void {
    this.#c(type).dead += n;
  }
}
