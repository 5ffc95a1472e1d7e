import { Type, type Static } from '@sinclair/typebox';
import { BatteryPct, BatteryV, message } from './common.ts';

/** Smart manhole cover (智能井盖): tilt, open lid, water rising beneath, optional methane. */
export const ManholeTelemetry = message('ManholeTelemetry', {
  tilt_deg: Type.Number({ minimum: 0, maximum: 180, description: 'cover tilt from level, degrees' }),
  // Optional: a tilt-only sensor (Netvox R718EB) has no lid switch or water sensor; Dingtek DC41x
  // report a distance to the water (water level needs the well's depth) and battery as a flag.
  open: Type.Optional(Type.Boolean({ description: 'lid lifted or gone' })),
  water_level_cm: Type.Optional(Type.Number({ minimum: 0, maximum: 500, description: 'water level below the cover, cm' })),
  ch4_pct_lel: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'methane, % of lower explosive limit' })),
  battery_pct: Type.Optional(BatteryPct),
  battery_v: Type.Optional(BatteryV),
});
export type ManholeTelemetry = Static<typeof ManholeTelemetry>;

export const MANHOLE_EVENTS = ['opened', 'closed', 'tilted', 'tilt_cleared', 'water_high', 'water_normal', 'low_battery'] as const;
export const ManholeEvent = message('ManholeEvent', {
  event: Type.Union(MANHOLE_EVENTS.map((e) => Type.Literal(e))),
  tilt_deg: Type.Optional(Type.Number({ minimum: 0, maximum: 180 })),
  water_level_cm: Type.Optional(Type.Number({ minimum: 0, maximum: 500 })),
  battery_pct: Type.Optional(BatteryPct),
});
export type ManholeEvent = Static<typeof ManholeEvent>;
