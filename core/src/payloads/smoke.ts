import { Type, type Static } from '@sinclair/typebox';
import { BatteryPct, BatteryV, RssiDbm, TemperatureC, message } from './common.ts';

/** Periodic status report of a smoke alarm (烟感), about daily in the field. */
export const SmokeTelemetry = message('SmokeTelemetry', {
  // Optional: Netvox RA02A reports an alarm flag, temperature and volts, no concentration or %.
  obscuration_pct: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'smoke concentration (obscuration), %' })),
  temperature_c: TemperatureC,
  battery_pct: Type.Optional(BatteryPct),
  battery_v: Type.Optional(BatteryV),
  rssi_dbm: Type.Optional(RssiDbm),
});
export type SmokeTelemetry = Static<typeof SmokeTelemetry>;

/** What a smoke alarm reports as it happens (Milesight GS524N, Z-Wave smoke, GB 20517-2025). */
export const SMOKE_EVENTS = [
  'alarm', // 火警报警
  'alarm_cleared', // 报警解除
  'silenced', // 消音
  'self_test', // 自检 (test button)
  'fault', // 故障
  'fault_cleared',
  'tamper', // 防拆: removed from its base
  'tamper_cleared', // back on its base
  'low_battery', // 低电量
  'end_of_life', // replacement required
] as const;
export const SmokeEvent = message('SmokeEvent', {
  event: Type.Union(SMOKE_EVENTS.map((e) => Type.Literal(e))),
  obscuration_pct: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  temperature_c: Type.Optional(TemperatureC),
  battery_pct: Type.Optional(BatteryPct),
});
export type SmokeEvent = Static<typeof SmokeEvent>;
