import type { DeviceStatePatch } from '@gridhub/store';

/**
 * Folds `next` into `into` (mutating it): what happened later wins. Pure apart from the mutation.
 * `latest` is merged key by key when `next` is not older; the last event only moves forward.
 */
export function mergePatch(into: DeviceStatePatch, next: DeviceStatePatch): DeviceStatePatch {
  if (next.lastSeenMs !== undefined) into.lastSeenMs = Math.max(into.lastSeenMs ?? next.lastSeenMs, next.lastSeenMs);
  if (next.connected !== undefined) into.connected = next.connected;
  if (next.batteryPct !== undefined) into.batteryPct = next.batteryPct;
  if (next.radio !== undefined && (into.radio === undefined || next.radio.atMs >= into.radio.atMs)) into.radio = next.radio;
  if (next.latest && (into.latestTsMs === undefined || (next.latestTsMs ?? 0) >= into.latestTsMs)) {
    into.latest = into.latest ? { ...into.latest, ...next.latest } : { ...next.latest };
    if (next.latestTsMs !== undefined) into.latestTsMs = next.latestTsMs;
  }
  if (next.lastEvent !== undefined && (into.lastEventMs === undefined || (next.lastEventMs ?? 0) >= into.lastEventMs)) {
    into.lastEvent = next.lastEvent;
    if (next.lastEventMs !== undefined) into.lastEventMs = next.lastEventMs;
  }
  return into;
}

/** Device-state patches coalesced per device until the next flush. */
export class StateCoalescer {
  private pending = new Map<string, DeviceStatePatch>();

  add(patch: DeviceStatePatch): void {
    const cur = this.pending.get(patch.deviceId);
    if (cur) mergePatch(cur, patch);
    else this.pending.set(patch.deviceId, { ...patch, ...(patch.latest ? { latest: { ...patch.latest } } : {}) });
  }

  /** Everything pending, one patch per device; the coalescer is empty afterwards. */
  take(): DeviceStatePatch[] {
    const out = [...this.pending.values()];
    this.pending = new Map();
    return out;
  }

  /** Puts back patches whose flush failed, under anything that arrived since. */
  restore(patches: DeviceStatePatch[]): void {
    for (const p of patches) {
      const newer = this.pending.get(p.deviceId);
      this.pending.set(p.deviceId, newer ? mergePatch(p, newer) : p);
    }
  }

  get size(): number {
    return this.pending.size;
  }
}
