import { Type, type Static } from '@sinclair/typebox';
import { DEFAULT_LIVENESS, type Liveness, type Reading } from '@gridhub/core';
import { Duration, resolveCommon, ruleSchema, type KindMemory, type Observation, type RuleCommon, type RuleKind } from './common.ts';
import { parseDurationMs } from '../duration.ts';

/**
 * Liveness in three levels from the kind's expected report interval, on the hub's clock:
 * online, late (after `late_after`), offline (after `offline_after`, or `will_grace` after a
 * last will; without `will_grace` a will counts no sooner than `offline_after`). Battery smoke
 * alarms report about daily: late 25 h, offline 49 h; a connected camera is offline a minute
 * after its last will. The alert fires when offline.
 */
export const LivenessRuleSchema = ruleSchema('liveness', {
  late_after: Type.Optional(Duration),
  offline_after: Type.Optional(Duration),
  will_grace: Type.Optional(Duration),
});
export type LivenessRuleYaml = Static<typeof LivenessRuleSchema>;

export interface LivenessRule extends RuleCommon {
  kind: 'liveness';
  lateAfterMs: number;
  offlineAfterMs: number;
  willGraceMs: number;
}

/** Pure: the liveness level of a device from what the rule remembers of it. */
export function livenessLevel(rule: Pick<LivenessRule, 'lateAfterMs' | 'offlineAfterMs' | 'willGraceMs'>, mem: KindMemory, nowMs: number): Liveness {
  if (mem.lastSeenMs === undefined) return 'unknown';
  if (mem.willMs !== undefined && nowMs - mem.willMs >= rule.willGraceMs) return 'offline';
  const silentMs = nowMs - mem.lastSeenMs;
  return silentMs >= rule.offlineAfterMs ? 'offline' : silentMs >= rule.lateAfterMs ? 'late' : 'online';
}

function observation(rule: LivenessRule, mem: KindMemory, nowMs: number): Observation | null {
  const level = livenessLevel(rule, mem, nowMs);
  if (level === 'unknown') return null;
  return { type: level === 'offline' ? 'breach' : 'clear', tsMs: nowMs, source: 'clock' };
}

/**
 * A rule's thresholds: what it sets, else core's DEFAULT_LIVENESS for its kind (the definition
 * the screens use). A last will speaks only for devices that keep a connection: `willGraceMs` after
 * the will for them (core: `connected`) unless `will_grace` says otherwise; a battery device that dropped off
 * abruptly is not offline until `offline_after`.
 */
function thresholds(y: LivenessRuleYaml): Pick<LivenessRule, 'lateAfterMs' | 'offlineAfterMs' | 'willGraceMs'> {
  const d = DEFAULT_LIVENESS[y.device_kind as keyof typeof DEFAULT_LIVENESS];
  const lateAfterMs = y.late_after === undefined ? d.lateAfterMs : parseDurationMs(y.late_after);
  const offlineAfterMs = y.offline_after === undefined ? d.offlineAfterMs : parseDurationMs(y.offline_after);
  const willGraceMs = y.will_grace !== undefined ? parseDurationMs(y.will_grace) : d.connected ? d.willGraceMs : offlineAfterMs;
  return { lateAfterMs, offlineAfterMs, willGraceMs };
}

export const liveness: RuleKind<LivenessRule, LivenessRuleYaml> = {
  kind: 'liveness',
  check(y) {
    const t = thresholds(y);
    return t.lateAfterMs < t.offlineAfterMs ? [] : [['offline_after', 'must be longer than late_after']];
  },
  resolve(y) {
    return { ...resolveCommon(y), kind: 'liveness', ...thresholds(y) };
  },
  observe(rule, reading: Reading, mem) {
    if (reading.message === 'status' && reading.fields.state === 'offline') {
      mem.willMs = Math.max(mem.willMs ?? 0, reading.rxMs);
      mem.lastSeenMs = Math.max(mem.lastSeenMs ?? 0, reading.rxMs);
      return observation(rule, mem, reading.rxMs);
    }
    if (mem.willMs !== undefined && reading.rxMs >= mem.willMs) delete mem.willMs;
    mem.lastSeenMs = Math.max(mem.lastSeenMs ?? 0, reading.rxMs);
    return observation(rule, mem, reading.rxMs);
  },
  tick: observation,
};
