import type { Reading } from '@gridhub/core';
import { INITIAL_ALERT_STATE, isFiring, step, type AlertState } from './alert/step.ts';
import { rulesFor, type RuleSet } from './config/ruleset.ts';
import { inSchedule } from './config/schedule.ts';
import type { KindMemory } from './kinds/common.ts';
import { observe, subjectKey, tickObservation } from './kinds/index.ts';

export interface DryRunResult {
  readings: number;
  /** Firings in all, and per rule and per device (most first). */
  firings: number;
  byRule: { ruleId: string; firings: number; devices: { deviceId: string; firings: number }[] }[];
}

/**
 * Pure: replays stored readings (oldest first) through the engine's own cores — the rules in force
 * for each device (`rulesFor`), each kind's `observe`, the alert `step` — on the readings' clock, as
 * if they arrived live, and counts the transitions to firing per rule and device. A `for` window
 * fires at the first reading after it has elapsed, or by the clock (each kind's tick and `step`
 * with no observation) between readings. Silences are not applied: it answers "would it fire".
 * Liveness rules fire from the clock, not readings; their replay counts what the readings imply.
 */
export function dryRun(set: RuleSet, readings: readonly Reading[]): DryRunResult {
  const states = new Map<string, { state: AlertState; memory: KindMemory }>();
  const counts = new Map<string, Map<string, number>>();
  const fired = (ruleId: string, deviceId: string) => {
    const m = counts.get(ruleId) ?? new Map<string, number>();
    m.set(deviceId, (m.get(deviceId) ?? 0) + 1);
    counts.set(ruleId, m);
  };
  const cache = new Map<string, ReturnType<typeof rulesFor>>();
  for (const r of readings) {
    let rules = cache.get(r.deviceId);
    if (!rules) cache.set(r.deviceId, (rules = rulesFor(set, { id: r.deviceId, kind: r.kind, place: r.place })));
    for (const rule of rules) {
      const key = `${rule.id}|${subjectKey(rule, r)}`;
      const s = states.get(key) ?? { state: INITIAL_ALERT_STATE, memory: {} };
      // the clock between readings: kinds' own timers (event hold), then `for` windows
      const tick = tickObservation(rule, s.memory, r.tsMs);
      for (const o of tick ? [tick, null] : [null]) {
        const res = step(s.state, o, rule, r.tsMs);
        s.state = res.next;
        for (const t of res.transitions) if (isFiring(t)) fired(rule.id, r.deviceId);
      }
      const obs = observe(rule, r, s.memory);
      if (obs) {
        const o = !inSchedule(rule.schedule, r.tsMs) ? { ...obs, type: 'clear' as const } : obs;
        const res = step(s.state, o, rule, r.tsMs);
        s.state = res.next;
        for (const t of res.transitions) if (isFiring(t)) fired(rule.id, r.deviceId);
      }
      states.set(key, s);
    }
  }
  const byRule = [...counts.entries()]
    .map(([ruleId, m]) => ({
      ruleId,
      firings: [...m.values()].reduce((a, b) => a + b, 0),
      devices: [...m.entries()].map(([deviceId, firings]) => ({ deviceId, firings })).sort((a, b) => b.firings - a.firings || a.deviceId.localeCompare(b.deviceId)),
    }))
    .sort((a, b) => b.firings - a.firings || a.ruleId.localeCompare(b.ruleId));
  return { readings: readings.length, firings: byRule.reduce((a, r) => a + r.firings, 0), byRule };
}
