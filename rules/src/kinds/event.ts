import { Type, type Static } from '@sinclair/typebox';
import type { Reading } from '@gridhub/core';
import { Duration, numeric, resolveCommon, ruleSchema, type KindMemory, type Observation, type RuleCommon, type RuleKind } from './common.ts';
import { parseDurationMs } from '../duration.ts';

const EventName = Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' });

/** An optional condition on one field of the event: `confidence >= 0.8`. */
export const WhereSchema = Type.Object(
  { field: EventName, min: Type.Optional(Type.Number()), max: Type.Optional(Type.Number()) },
  { additionalProperties: false },
);
export type Where = Static<typeof WhereSchema>;

export function matchesWhere(where: Where | null, reading: Reading): boolean {
  if (!where) return true;
  const v = numeric(reading.fields[where.field]);
  if (v === undefined) return false;
  return (where.min === undefined || v >= where.min) && (where.max === undefined || v <= where.max);
}

/**
 * A device event (smoke alarm, tamper, fault; manhole opened; e-bike detected). Breaches on one of
 * `events`, clears on one of `clear_events`; a rule with no clear event clears `hold` after its
 * last breach (10 min when absent).
 */
export const EventRuleSchema = ruleSchema('event', {
  events: Type.Array(EventName, { minItems: 1 }),
  clear_events: Type.Optional(Type.Array(EventName)),
  where: Type.Optional(WhereSchema),
  hold: Type.Optional(Duration),
});
export type EventRuleYaml = Static<typeof EventRuleSchema>;

export interface EventRule extends RuleCommon {
  kind: 'event';
  events: string[];
  clearEvents: string[];
  where: Where | null;
  holdMs: number;
}

export const DEFAULT_EVENT_HOLD_MS = 10 * 60_000;

export const event: RuleKind<EventRule, EventRuleYaml> = {
  kind: 'event',
  check(y) {
    const both = (y.clear_events ?? []).filter((e) => y.events.includes(e));
    return both.length ? [['clear_events', `${both.join(', ')} both breaches and clears`]] : [];
  },
  resolve(y) {
    return {
      ...resolveCommon(y),
      kind: 'event',
      events: y.events,
      clearEvents: y.clear_events ?? [],
      where: y.where ?? null,
      holdMs: y.hold === undefined ? DEFAULT_EVENT_HOLD_MS : parseDurationMs(y.hold),
    };
  },
  observe(rule, reading, mem) {
    if (reading.message !== 'event') return null;
    const name = reading.fields.event;
    if (typeof name !== 'string') return null;
    if (rule.events.includes(name) && matchesWhere(rule.where, reading)) {
      mem.lastBreachMs = Math.max(mem.lastBreachMs ?? 0, reading.tsMs);
      return { type: 'breach', tsMs: reading.tsMs, source: 'sample' };
    }
    if (rule.clearEvents.includes(name)) return { type: 'clear', tsMs: reading.tsMs, source: 'sample' };
    return null;
  },
  tick(rule, mem: KindMemory, nowMs): Observation | null {
    if (rule.clearEvents.length || mem.lastBreachMs === undefined) return null;
    return nowMs - mem.lastBreachMs >= rule.holdMs ? { type: 'clear', tsMs: nowMs, source: 'clock' } : null;
  },
};
