/**
 * A small sliding-window limiter for login attempts, keyed by anything (an IP, a user name).
 * Pure but for its memory: `nowMs` is passed in. Old entries are dropped as keys are touched and
 * the whole map is swept when it grows past `maxKeys`.
 */
export class AttemptLimiter {
  readonly #hits = new Map<string, number[]>();

  constructor(readonly opts: { max: number; windowMs: number; maxKeys?: number }) {}

  /** Seconds to wait before the next attempt for this key (0: go ahead). Does not count. */
  retryAfterSec(key: string, nowMs: number): number {
    const times = this.#live(key, nowMs);
    if (times.length < this.opts.max) return 0;
    return Math.max(1, Math.ceil((times[0]! + this.opts.windowMs - nowMs) / 1000));
  }

  /** Counts one (failed) attempt. */
  hit(key: string, nowMs: number): void {
    const times = this.#live(key, nowMs);
    times.push(nowMs);
    this.#hits.set(key, times);
    if (this.#hits.size > (this.opts.maxKeys ?? 100_000)) this.#sweep(nowMs);
  }

  reset(key: string): void {
    this.#hits.delete(key);
  }

  #live(key: string, nowMs: number): number[] {
    const since = nowMs - this.opts.windowMs;
    const times = (this.#hits.get(key) ?? []).filter((t) => t > since);
    if (!times.length) this.#hits.delete(key);
    return times;
  }

  #sweep(nowMs: number): void {
    for (const key of [...this.#hits.keys()]) this.#live(key, nowMs);
  }
}
