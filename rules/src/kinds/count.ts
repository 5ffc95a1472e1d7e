import { Type, type Static } from '@sinclair/typebox';
import type { Reading } from '@gridhub/core';
import { Duration, resolveCommon, ruleSchema, type KindMemory, type Observation, type RuleCommon, type RuleKind } from './common.ts';
import { matchesWhere, WhereSchema, type Where } from './event.ts';
import { parseDurationMs } from '../duration.ts';

export const COUNT_SCOPES = ['device', 'unit', 'building', 'estate'] as const;
export type CountScope = (typeof COUNT_SCOPES)[number];

/**
 * Count of occurrences within a sliding window, per device or per place:
 * "3 e-bike detections in one unit within 7 days" -> a P2 follow-up visit (回访).
 */
export const CountRuleSchema = ruleSchema('count', {
  events: Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }), { minItems: 1 }),
  where: Type.Optional(WhereSchema),
  count: Type.Integer({ minimum: 2, maximum: 10_000 }),
  window: Duration,
  per: Type.Optional(Type.Union(COUNT_SCOPES.map((s) => Type.Literal(s)))),
});
export type CountRuleYaml = Static<typeof CountRuleSchema>;

export interface CountRule extends RuleCommon {
  kind: 'count';
  events: string[];
  where: Where | null;
  count: number;
  windowMs: number;
  per: CountScope;
}

function prune(times: number[], fromMs: number): number[] {
  let i = 0;
  while (i < times.length && times[i]! <= fromMs) i++;
  return i ? times.slice(i) : times;
}

function verdict(rule: CountRule, mem: KindMemory, tsMs: number, source: Observation['source']): Observation {
  const n = mem.times?.length ?? 0;
  return { type: n >= rule.count ? 'breach' : 'clear', tsMs, source, value: n };
}

export const count: RuleKind<CountRule, CountRuleYaml> = {
  kind: 'count',
  resolve(y) {
    return {
      ...resolveCommon(y),
      kind: 'count',
      events: y.events,
      where: y.where ?? null,
      count: y.count,
      windowMs: parseDurationMs(y.window),
      per: y.per ?? 'device',
    };
  },
  observe(rule, reading: Reading, mem) {
    if (reading.message !== 'event') return null;
    const name = reading.fields.event;
    if (typeof name !== 'string' || !rule.events.includes(name) || !matchesWhere(rule.where, reading)) return null;
    const times = prune(mem.times ?? [], reading.tsMs - rule.windowMs);
    // Keep the list sorted: a late occurrence goes where it belongs.
    let i = times.length;
    while (i > 0 && times[i - 1]! > reading.tsMs) i--;
    mem.times = [...times.slice(0, i), reading.tsMs, ...times.slice(i)].slice(-rule.count * 4);
    return verdict(rule, mem, reading.tsMs, 'sample');
  },
  tick(rule, mem, nowMs) {
    if (!mem.times?.length) return null;
    mem.times = prune(mem.times, nowMs - rule.windowMs);
    return verdict(rule, mem, nowMs, 'clock');
  },
};

/** The subject a count rule keeps its window for: the device, or its unit / building / estate. */
export function countSubject(per: CountScope, reading: Reading): string {
  const p = reading.place;
  const key = per === 'device' ? null : per === 'unit' ? p.unit : per === 'building' ? p.building : p.estate;
  return key ? `${per}:${key}` : reading.deviceId;
}
