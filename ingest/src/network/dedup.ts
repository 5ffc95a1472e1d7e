/**
 * The keys of network uplinks already spooled, for a window (default 24 h, at most 200,000 keys),
 * so a network server's redelivery (same deduplicationId, fCnt, upPacketSN) is acknowledged and
 * not ingested twice: not stored twice (readings are keyed by (device, ts, seq) from the network's
 * own time and counter, so even a key forgotten in a crash overwrites itself in the sink) and not
 * evaluated twice by the rules. Keys are added only once their readings are durable; new keys are
 * persisted in batches (the store's `uplink_seen`) and loaded back at start.
 */
export class DedupWindow {
  private readonly seen = new Map<string, number>();
  private pending: { key: string; seenMs: number }[] = [];

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys: number,
  ) {}

  has(key: string, nowMs: number): boolean {
    const at = this.seen.get(key);
    return at !== undefined && nowMs - at < this.windowMs;
  }

  add(key: string, nowMs: number): void {
    if (this.seen.has(key)) return;
    this.seen.set(key, nowMs);
    this.pending.push({ key, seenMs: nowMs });
    // Map iteration is insertion order: the oldest go first
    while (this.seen.size > this.maxKeys) this.seen.delete(this.seen.keys().next().value as string);
  }

  /** Loads persisted keys (newest first, as the store returns them) without marking them pending. */
  load(keys: readonly { key: string; seenMs: number }[]): void {
    for (let i = keys.length - 1; i >= 0; i--) this.seen.set(keys[i]!.key, keys[i]!.seenMs);
  }

  take(): { key: string; seenMs: number }[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  restore(batch: { key: string; seenMs: number }[]): void {
    this.pending = batch.concat(this.pending).slice(-this.maxKeys);
  }

  get size(): number {
    return this.seen.size;
  }
}
