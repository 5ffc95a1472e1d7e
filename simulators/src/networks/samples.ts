import type { DeviceKind } from '@gridhub/core';

/**
 * For each built-in device model: what its codec's decoded output looks like in a quiet report and
 * in an alarm, for the codecs' encoders (`registry.encode(model, data)`), with the rule the alarm
 * should open a ticket under (rules/src/config/defaults.ts) and the site params it needs. The
 * shapes are the vendors' decoder outputs (codecs/test/vectors/*.json).
 */
export interface ModelSample {
  model: string;
  kind: DeviceKind;
  normal: Record<string, unknown>;
  alarm: Record<string, unknown>;
  /** The default rule the alarm frame opens a ticket under. */
  rule: string;
  /** Site params the model's mapping needs (well depth, tilt threshold). */
  params?: Record<string, number>;
}

const dingtekBin = { level: 1200, alarmLevel: false, alarmFire: false, alarmFall: false, alarmBattery: false, angle: 0, temperature: 22, frameCounter: 1 };
const dingtekManhole = { level: 1700, alarmLevel: false, alarmFall: false, alarmBattery: false, angle: 0, temperature: 22, frameCounter: 1 };

export const MODEL_SAMPLES: readonly ModelSample[] = [
  { model: 'dingtek-df703', kind: 'bin', normal: dingtekBin, alarm: { ...dingtekBin, alarmFall: true, angle: 80 }, rule: 'bin.tilted' },
  { model: 'milesight-em400-udl', kind: 'bin', normal: { battery: 92, temperature: 25.7, distance: 1200, position: 'normal' }, alarm: { battery: 92, temperature: 25.7, distance: 1200, position: 'tilt' }, rule: 'bin.tilted' },
  { model: 'milesight-em310-udl', kind: 'bin', normal: { battery: 92, distance: 1200, position: 'normal' }, alarm: { battery: 92, distance: 1200, position: 'tilt' }, rule: 'bin.tilted' },
  { model: 'netvox-r718x', kind: 'bin', normal: { Volt: 3.6, Distance: 1200, Temp: 22, FillLevel: 20, AngleOfInclination: 0 }, alarm: { Volt: 3.6, Distance: 30, Temp: 22, FillLevel: 98, AngleOfInclination: 0 }, rule: 'bin.full' },
  { model: 'milesight-gs524n', kind: 'smoke', normal: { battery: 100, concentration: 0, temperature: 22, event: 'normal' }, alarm: { battery: 100, concentration: 12, temperature: 31, event: 'alarm' }, rule: 'smoke.alarm' },
  { model: 'netvox-ra02a', kind: 'smoke', normal: { Volt: 3, FireAlarm: 'NoAlarm', HighTempAlarm: 'NoAlarm', Temp: 22 }, alarm: { Volt: 3, FireAlarm: 'Alarm', HighTempAlarm: 'NoAlarm', Temp: 48 }, rule: 'smoke.alarm' },
  { model: 'dingtek-dc410', kind: 'manhole', normal: { ...dingtekManhole, full: false, motion: false, battery: false }, alarm: { ...dingtekManhole, level: 300, full: true, motion: false, battery: false }, rule: 'manhole.water', params: { wellDepthMm: 2000 } },
  { model: 'dingtek-dc413', kind: 'manhole', normal: dingtekManhole, alarm: { ...dingtekManhole, level: 300, alarmLevel: true }, rule: 'manhole.water', params: { wellDepthMm: 2000 } },
  { model: 'netvox-r718eb', kind: 'manhole', normal: { Volt: 3.6, AngleX: 0.5, AngleY: 0.4, AngleZ: 0 }, alarm: { Volt: 3.6, AngleX: 35, AngleY: 2, AngleZ: 0 }, rule: 'manhole.tilt' },
];
