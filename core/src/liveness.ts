import type { DeviceKind } from './kinds.ts';
import type { Liveness } from './site.ts';

/**
 * Liveness in three levels (online / late / offline) from the expected report interval of each
 * kind. Battery smoke alarms report about daily: late after 25 h, offline after 49 h (Huawei's IoT
 * platform uses these for NB-IoT). Connected devices (e-bike cameras) are offline as soon as their
 * last will says so. The rules engine may override these per rule; these are the defaults.
 */
export interface LivenessPolicy {
  lateAfterMs: number;
  offlineAfterMs: number;
  /** The device keeps an MQTT connection: a will / disconnect means offline at once. */
  connected: boolean;
}

const H = 3600_000;
export const DEFAULT_LIVENESS: Record<DeviceKind, LivenessPolicy> = {
  smoke: { lateAfterMs: 25 * H, offlineAfterMs: 49 * H, connected: false },
  bin: { lateAfterMs: 2 * H, offlineAfterMs: 6 * H, connected: false },
  manhole: { lateAfterMs: 1 * H, offlineAfterMs: 3 * H, connected: false },
  ebike: { lateAfterMs: 2 * 60_000, offlineAfterMs: 5 * 60_000, connected: true },
};

/** Pure: the liveness of a device at `nowMs`. */
export function livenessOf(
  policy: LivenessPolicy,
  lastSeenMs: number | null,
  connected: boolean | null,
  nowMs: number,
): Liveness {
  if (lastSeenMs === null) return 'unknown';
  if (policy.connected && connected === false) return 'offline';
  const silentMs = nowMs - lastSeenMs;
  if (silentMs >= policy.offlineAfterMs) return 'offline';
  if (silentMs >= policy.lateAfterMs) return 'late';
  return 'online';
}
