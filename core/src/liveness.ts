import type { DeviceKind } from './kinds.ts';
import type { Liveness } from './site.ts';

/**
 * Liveness in three levels (online / late / offline) from the expected report interval of each
 * kind. Battery smoke alarms report about daily: late after 25 h, offline after 49 h (Huawei's IoT
 * platform uses these for NB-IoT). Connected devices (e-bike cameras) are offline as soon as their
 * last will says so. This is the ONE definition: the screens (hub/src/realtime), the device API
 * and the rules engine's liveness rules (their `late_after` / `offline_after` default to these)
 * all read it; a rule set may still override a rule's thresholds per estate or device.
 */
export interface LivenessPolicy {
  lateAfterMs: number;
  offlineAfterMs: number;
  /** The device keeps an MQTT connection: a will / disconnect means offline, `willGraceMs` after it. */
  connected: boolean;
  /** How long after a last will (a reconnect within it is not an outage); 0 for non-connected kinds. */
  willGraceMs: number;
}

const H = 3600_000;
export const DEFAULT_LIVENESS: Record<DeviceKind, LivenessPolicy> = {
  smoke: { lateAfterMs: 25 * H, offlineAfterMs: 49 * H, connected: false, willGraceMs: 0 },
  bin: { lateAfterMs: 2 * H, offlineAfterMs: 6 * H, connected: false, willGraceMs: 0 },
  // Covers report every 30 min: late after missing two reports, offline after four.
  manhole: { lateAfterMs: 1 * H, offlineAfterMs: 2 * H, connected: false, willGraceMs: 0 },
  ebike: { lateAfterMs: 3 * 60_000, offlineAfterMs: 10 * 60_000, connected: true, willGraceMs: 60_000 },
};

/** Pure: the liveness of a device at `nowMs`. */
export function livenessOf(
  policy: LivenessPolicy,
  lastSeenMs: number | null,
  connected: boolean | null,
  nowMs: number,
): Liveness {
  if (lastSeenMs === null) return 'unknown';
  const silentMs = nowMs - lastSeenMs;
  // The will (or disconnect) is the last thing seen from a connected device.
  if (policy.connected && connected === false && silentMs >= policy.willGraceMs) return 'offline';
  if (silentMs >= policy.offlineAfterMs) return 'offline';
  if (silentMs >= policy.lateAfterMs) return 'late';
  return 'online';
}
