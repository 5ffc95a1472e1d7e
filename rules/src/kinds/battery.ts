import { Type, type Static } from '@sinclair/typebox';
import type { Reading } from '@gridhub/core';
import { checkLevels, compareLevels, numeric, resolveCommon, ruleSchema, type Observation, type RuleCommon, type RuleKind } from './common.ts';

/**
 * Low battery: `battery_pct` at or below `below`, cleared at or above `clear` (a new cell), or a
 * device's own low-battery event.
 */
export const BatteryRuleSchema = ruleSchema('battery', {
  below: Type.Number({ minimum: 0, maximum: 100 }),
  clear: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  events: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }))),
});
export type BatteryRuleYaml = Static<typeof BatteryRuleSchema>;

export interface BatteryRule extends RuleCommon {
  kind: 'battery';
  below: number;
  clear: number;
  events: string[];
}

export const battery: RuleKind<BatteryRule, BatteryRuleYaml> = {
  kind: 'battery',
  check: (y) => checkLevels('below', y.below, y.clear),
  resolve(y) {
    return { ...resolveCommon(y), kind: 'battery', below: y.below, clear: y.clear ?? y.below, events: y.events ?? ['low_battery'] };
  },
  observe(rule, reading: Reading): Observation | null {
    if (reading.message === 'status') return null;
    const name = reading.fields.event;
    if (reading.message === 'event' && typeof name === 'string' && rule.events.includes(name)) {
      return { type: 'breach', tsMs: reading.tsMs, source: 'sample' };
    }
    const v = numeric(reading.fields.battery_pct);
    if (v === undefined) return null;
    return { type: compareLevels(v, 'below', rule.below, rule.clear), tsMs: reading.tsMs, source: 'sample', value: v };
  },
};
