import type { Refusal } from '@gridhub/core';

export interface RefusalStats {
  total: number;
  byCode: Record<string, number>;
  byDevice: Record<string, number>;
  /** Refusals not yet recorded in the store. */
  pending: number;
  /** Counted but never recorded: the store stayed unreachable and the queue was full. */
  dropped: number;
}

/** Refusals waiting to be recorded in batches, and their counts per code and per device. */
export class RefusalLog {
  private queue: Refusal[] = [];
  private total = 0;
  private dropped = 0;
  private readonly byCode = new Map<string, number>();
  private readonly byDevice = new Map<string, number>();

  constructor(private readonly maxPending: number) {}

  add(r: Refusal): void {
    this.total++;
    this.byCode.set(r.code, (this.byCode.get(r.code) ?? 0) + 1);
    if (r.deviceId !== null) this.byDevice.set(r.deviceId, (this.byDevice.get(r.deviceId) ?? 0) + 1);
    if (this.queue.length >= this.maxPending) this.dropped++;
    else this.queue.push(r);
  }

  take(): Refusal[] {
    const out = this.queue;
    this.queue = [];
    return out;
  }

  /** Puts back a batch whose recording failed (oldest first), within the cap. */
  restore(batch: Refusal[]): void {
    const merged = batch.concat(this.queue);
    const over = Math.max(0, merged.length - this.maxPending);
    this.dropped += over;
    this.queue = merged.slice(over);
  }

  stats(): RefusalStats {
    return {
      total: this.total,
      byCode: Object.fromEntries(this.byCode),
      byDevice: Object.fromEntries(this.byDevice),
      pending: this.queue.length,
      dropped: this.dropped,
    };
  }
}
