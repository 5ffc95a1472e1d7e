import { Type, type Static } from '@sinclair/typebox';
import { BatteryPct, TemperatureC, message } from './common.ts';

/**
 * Bin fill level (垃圾满溢), ultrasonic. A device reports either `fill_pct` directly or the raw
 * `distance_mm` from sensor to rubbish; the hub then computes fill from the bin's depth in the site:
 * fill = 1 - (distance - offset) / depth.
 */
export const BinTelemetry = message('BinTelemetry', {
  fill_pct: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'fill level, %' })),
  distance_mm: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: 'ultrasonic distance, mm' })),
  temperature_c: TemperatureC,
  tilted: Type.Boolean({ description: 'knocked over' }),
  battery_pct: BatteryPct,
});
export type BinTelemetry = Static<typeof BinTelemetry>;

export const BIN_EVENTS = ['tilted', 'upright', 'sudden_change', 'low_battery'] as const;
export const BinEvent = message('BinEvent', {
  event: Type.Union(BIN_EVENTS.map((e) => Type.Literal(e))),
  fill_pct: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  temperature_c: Type.Optional(TemperatureC),
  battery_pct: Type.Optional(BatteryPct),
});
export type BinEvent = Static<typeof BinEvent>;
