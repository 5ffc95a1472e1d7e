import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { DEVICE_KINDS, PRIORITIES, type DeviceKind, type FieldValue, type Priority, type Reading } from '@gridhub/core';
import { DURATION_PATTERN, parseDurationMs } from '../duration.ts';

export { PRIORITIES, type Priority };

/** What to do when a rule's subject stops reporting (Grafana's per-rule no-data policy). */
export const NO_DATA_POLICIES = ['keep', 'resolve', 'alert'] as const;
export type NoDataPolicy = (typeof NO_DATA_POLICIES)[number];

export const Duration = Type.Union([Type.String({ pattern: DURATION_PATTERN }), Type.Integer({ minimum: 0 })]);
const Clock = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' });

export const ScheduleSchema = Type.Object(
  {
    /** 0 = Sunday .. 6 = Saturday; all days when absent. */
    days: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { minItems: 1 })),
    from: Clock,
    to: Clock,
    /** Local time zone as a fixed offset; China's +08:00 when absent. */
    utc_offset: Type.Optional(Type.String({ pattern: '^[+-]\\d{2}:\\d{2}$' })),
  },
  { additionalProperties: false },
);

/** Fields every rule has, as written in YAML. */
export const CommonRuleFields = {
  id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' }),
  device_kind: Type.Union(DEVICE_KINDS.map((k) => Type.Literal(k))),
  title: Type.String({ minLength: 1, maxLength: 200 }),
  priority: Type.Union(PRIORITIES.map((p) => Type.Literal(p))),
  for: Type.Optional(Duration),
  no_data: Type.Optional(Type.Union(NO_DATA_POLICIES.map((p) => Type.Literal(p)))),
  /** After how long without a sample the no-data policy applies; never when absent. */
  no_data_after: Type.Optional(Duration),
  schedule: Type.Optional(ScheduleSchema),
  enabled: Type.Optional(Type.Boolean()),
};

export function ruleSchema<K extends string, P extends TProperties>(kind: K, properties: P) {
  return Type.Object({ kind: Type.Literal(kind), ...CommonRuleFields, ...properties }, { additionalProperties: false });
}

export interface Schedule {
  days: number[] | null;
  fromMin: number;
  toMin: number;
  offsetMin: number;
}

export interface RuleCommon {
  id: string;
  deviceKind: DeviceKind;
  title: string;
  priority: Priority;
  forMs: number;
  noData: NoDataPolicy;
  noDataAfterMs: number | null;
  schedule: Schedule | null;
  enabled: boolean;
}

type CommonYaml = { [K in keyof typeof CommonRuleFields]?: Static<(typeof CommonRuleFields)[K]> };

function minutes(clock: string): number {
  const [h, m] = clock.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

export function resolveCommon(y: CommonYaml & { id: string; device_kind: DeviceKind; title: string; priority: Priority }): RuleCommon {
  const s = y.schedule;
  return {
    id: y.id,
    deviceKind: y.device_kind,
    title: y.title,
    priority: y.priority,
    forMs: y.for === undefined ? 0 : parseDurationMs(y.for),
    noData: y.no_data ?? 'keep',
    noDataAfterMs: y.no_data_after === undefined ? null : parseDurationMs(y.no_data_after),
    schedule: s
      ? {
          days: s.days ?? null,
          fromMin: minutes(s.from),
          toMin: minutes(s.to),
          offsetMin: s.utc_offset ? (s.utc_offset[0] === '-' ? -1 : 1) * minutes(s.utc_offset.slice(1)) : 480,
        }
      : null,
    enabled: y.enabled ?? true,
  };
}

/**
 * What one reading or one clock tick says about a rule's condition, the input of `step`.
 *   breach: the condition holds;  clear: it does not;  hold: between the set and clear levels
 *   (hysteresis: a firing alert stays firing, a pending one drops);  nodata: nothing heard.
 * `source` is 'sample' for a device's reading (timed by its plausible device clock, ordered by
 * arrival: docs/protocol.md) and 'clock' for the hub's own tick.
 */
export type ObservationType = 'breach' | 'clear' | 'hold' | 'nodata';
export interface Observation {
  type: ObservationType;
  tsMs: number;
  source: 'sample' | 'clock';
  value?: number;
}

/** A rule's small per-subject memory (JSON), persisted with its alert state. */
export interface KindMemory {
  /** Count kind: times of matching occurrences within the window. */
  times?: number[];
  /** Liveness: last time heard (hub clock) and the time of a last will, if any. */
  lastSeenMs?: number;
  willMs?: number;
  /** Event kind without a clear event: when the last breach was seen. */
  lastBreachMs?: number;
  /** The last few readings' identities (`readingKey`): a message seen again is a replay, not news. */
  keys?: string[];
}

/** A rule kind: its YAML schema, how it resolves, and how readings and ticks become observations. */
export interface RuleKind<R extends RuleCommon & { kind: string }, Y> {
  readonly kind: R['kind'];
  resolve(y: Y): R;
  /** Semantic checks beyond the schema: [relative path, reason][]. */
  check?(y: Y): [string, string][];
  /** The observation a reading makes (null: not relevant); may update `mem` in place. */
  observe(rule: R, reading: Reading, mem: KindMemory): Observation | null;
  /** The observation the clock makes (null: nothing to say). */
  tick?(rule: R, mem: KindMemory, nowMs: number): Observation | null;
}

export function numeric(v: FieldValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

/**
 * Set / clear comparison with hysteresis. `above`: breach at v >= set, clear at v <= clear;
 * `below`: breach at v <= set, clear at v >= clear; in between: hold.
 */
export function compareLevels(v: number, dir: 'above' | 'below', set: number, clear: number): ObservationType {
  if (dir === 'above') return v >= set ? 'breach' : v <= clear ? 'clear' : 'hold';
  return v <= set ? 'breach' : v >= clear ? 'clear' : 'hold';
}

/** Semantic check of a set / clear pair: the clear level lies on the safe side of the set level. */
export function checkLevels(dir: 'above' | 'below', set: number, clear: number | undefined): [string, string][] {
  if (clear === undefined) return [];
  if (dir === 'above' && clear > set) return [['clear', `must be <= ${set} (the level it clears from)`]];
  if (dir === 'below' && clear < set) return [['clear', `must be >= ${set} (the level it clears from)`]];
  return [];
}
