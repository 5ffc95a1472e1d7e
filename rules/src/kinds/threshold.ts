import { Type, type Static } from '@sinclair/typebox';
import type { Reading } from '@gridhub/core';
import { checkLevels, compareLevels, numeric, resolveCommon, ruleSchema, type Observation, type RuleCommon, type RuleKind } from './common.ts';

/**
 * Threshold with a `for` duration and a separate clear level (hysteresis), on one numeric or
 * boolean field of telemetry (or of an event that carries it). Exactly one of `above`, `below`, `is`.
 *   bin fill >= 80 % for 10 min, clears at <= 70 %;  manhole tilt >= 10 deg held 2 s;  tilted is true.
 */
export const ThresholdRuleSchema = ruleSchema('threshold', {
  field: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }),
  above: Type.Optional(Type.Number()),
  below: Type.Optional(Type.Number()),
  is: Type.Optional(Type.Boolean()),
  /** Clear level; the set level itself when absent (no hysteresis). */
  clear: Type.Optional(Type.Number()),
});
export type ThresholdRuleYaml = Static<typeof ThresholdRuleSchema>;

export interface ThresholdRule extends RuleCommon {
  kind: 'threshold';
  field: string;
  dir: 'above' | 'below';
  set: number;
  clear: number;
}

export const threshold: RuleKind<ThresholdRule, ThresholdRuleYaml> = {
  kind: 'threshold',
  check(y) {
    const given = [y.above, y.below, y.is].filter((v) => v !== undefined).length;
    if (given !== 1) return [['', 'needs exactly one of above, below, is']];
    if (y.is !== undefined && y.clear !== undefined) return [['clear', 'has no meaning with is']];
    return y.above !== undefined ? checkLevels('above', y.above, y.clear) : y.below !== undefined ? checkLevels('below', y.below, y.clear) : [];
  },
  resolve(y) {
    // A boolean condition is a threshold at 1 (true) or at 0 (false) on the field as 0/1.
    const [dir, set] = y.above !== undefined ? (['above', y.above] as const) : y.below !== undefined ? (['below', y.below] as const) : y.is ? (['above', 1] as const) : (['below', 0] as const);
    return { ...resolveCommon(y), kind: 'threshold', field: y.field, dir, set, clear: y.clear ?? set };
  },
  observe(rule: ThresholdRule, reading: Reading): Observation | null {
    if (reading.message === 'status') return null;
    const v = numeric(reading.fields[rule.field]);
    if (v === undefined) return null;
    return { type: compareLevels(v, rule.dir, rule.set, rule.clear), tsMs: reading.tsMs, source: 'sample', value: v };
  },
};
