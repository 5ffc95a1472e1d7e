import { Type, type Static } from '@sinclair/typebox';
import { BatteryPct, BatteryV, TemperatureC, message } from './common.ts';

/**
 * Bin fill level (垃圾满溢), ultrasonic. A device reports either `fill_pct` directly or the raw
 * `distance_mm` from sensor to rubbish; the hub then computes fill from the bin's depth in the site:
 * fill = 1 - (distance - offset) / depth.
 */
export const BinTelemetry = message('BinTelemetry', {
  fill_pct: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'fill level, %' })),
  distance_mm: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: 'ultrasonic distance, mm' })),
  // Optional: real models do not all report them (EM310-UDL has no thermometer, Dingtek DF703 only a
  // low-battery flag, Netvox R718X volts and an angle). Our own devices send all three.
  temperature_c: Type.Optional(TemperatureC),
  tilted: Type.Optional(Type.Boolean({ description: 'knocked over' })),
  battery_pct: Type.Optional(BatteryPct),
  battery_v: Type.Optional(BatteryV),
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

/**
 * Bin fill level from the ultrasonic distance, in % (0..100, one decimal):
 * fill = 1 - (distance - offset) / depth, where depth runs from the sensor to the bin's floor
 * and offset is the sensor's height above the rim. Null without a configured depth.
 * One definition: ingest (own-contract devices) and codecs (vendor frames) both use it.
 */
export function binFillPct(distanceMm: number, depthMm: number | null | undefined, offsetMm: number | null | undefined): number | null {
  if (!depthMm || depthMm <= 0) return null;
  const fill = 1 - (distanceMm - (offsetMm ?? 0)) / depthMm;
  return Math.round(Math.min(1, Math.max(0, fill)) * 1000) / 10;
}
