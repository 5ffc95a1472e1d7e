import { Type } from '@sinclair/typebox';
import type { Reading } from '@gridhub/core';
import { battery, BatteryRuleSchema, type BatteryRule } from './battery.ts';
import type { KindMemory, Observation, RuleKind } from './common.ts';
import { count, countSubject, CountRuleSchema, type CountRule } from './count.ts';
import { event, EventRuleSchema, type EventRule } from './event.ts';
import { liveness, LivenessRuleSchema, type LivenessRule } from './liveness.ts';
import { threshold, ThresholdRuleSchema, type ThresholdRule } from './threshold.ts';

/** One dispatcher over the rule kinds (each in its own file). */
export type Rule = ThresholdRule | CountRule | EventRule | LivenessRule | BatteryRule;
export type RuleKindName = Rule['kind'];

export const RuleYamlSchema = Type.Union([ThresholdRuleSchema, CountRuleSchema, EventRuleSchema, LivenessRuleSchema, BatteryRuleSchema]);

export const RULE_KINDS: { [K in RuleKindName]: RuleKind<Extract<Rule, { kind: K }>, any> } = {
  threshold,
  count,
  event,
  liveness,
  battery,
};

export const RULE_SCHEMAS = {
  threshold: ThresholdRuleSchema,
  count: CountRuleSchema,
  event: EventRuleSchema,
  liveness: LivenessRuleSchema,
  battery: BatteryRuleSchema,
} as const;

export function observe(rule: Rule, reading: Reading, mem: KindMemory): Observation | null {
  return (RULE_KINDS[rule.kind] as RuleKind<Rule, unknown>).observe(rule, reading, mem);
}

export function tickObservation(rule: Rule, mem: KindMemory, nowMs: number): Observation | null {
  const k = RULE_KINDS[rule.kind] as RuleKind<Rule, unknown>;
  return k.tick ? k.tick(rule, mem, nowMs) : null;
}

/** The key one rule keeps its alert state under: the device, or a place for per-place counts. */
export function subjectKey(rule: Rule, reading: Reading): string {
  return rule.kind === 'count' ? countSubject(rule.per, reading) : reading.deviceId;
}

export { livenessLevel } from './liveness.ts';
export type { BatteryRule, CountRule, EventRule, LivenessRule, ThresholdRule };
