import { u16be } from '../bytes.ts';
import { clamp, event, fillFromDistance, num, param, telemetry } from '../mapping.ts';
import type { BuiltinModel, ContractMessage, DeviceParams } from '../types.ts';
import {
  COMMON_COMMANDS, be16, decodeNetvox, encodeNetvoxStatus, readVolt, replyStatus, s16tenths, type NetvoxModelSpec,
} from './netvox-frame.ts';

const SOURCE = 'TheThingsNetwork/lorawan-devices vendor/netvox/';

function lowBatteryEvent(decoded: Record<string, unknown>, messages: ContractMessage[]): number | undefined {
  const v = readVolt(decoded.Volt);
  if (v.low) messages.push(event('low_battery'));
  return v.volts;
}

function isStatus(decoded: Record<string, unknown>): boolean {
  return decoded.Volt !== undefined && decoded.Cmd === undefined;
}

const NOTHING = { messages: [], warnings: ['a version report or a configuration reply: nothing for the contract'] };

// ---- R718X: ultrasonic fill level (垃圾满溢), device type 0x34
const R718X: NetvoxModelSpec = {
  devices: { 0x34: 'R718X' },
  commands: {
    ...COMMON_COMMANDS,
    0x03: 'SetOnDistanceThresholdReq', 0x83: 'SetOnDistanceThresholdRsp', 0x04: 'GetOnDistanceThresholdReq', 0x84: 'GetOnDistanceThresholdRsp',
    0x05: 'SetFillMaxDistanceReq', 0x85: 'SetFillMaxDistanceRsp', 0x06: 'GetFillMaxDistanceReq', 0x86: 'GetFillMaxDistanceRsp',
    0x0b: 'SetDeadZoneDistanceReq', 0x8b: 'SetDeadZoneDistanceRsp', 0x0c: 'GetDeadZoneDistanceReq', 0x8c: 'GetDeadZoneDistanceRsp',
  },
  status(b, d) {
    d.Status = b[4] === 0x00 ? 'OFF' : 'ON';
    d.Distance = u16be(b, 5);
    d.FillLevel = b[9]!;
    d.Temp = s16tenths(b, 7);
    d.AngleOfInclination = b[10]!;
  },
  config(cmd, b, d) {
    if (cmd === 'ConfigReportRsp' || cmd === 'SetOnDistanceThresholdRsp' || cmd === 'SetFillMaxDistanceRsp' || cmd === 'SetDeadZoneDistanceRsp') replyStatus(b, d);
    else if (cmd === 'ReadConfigReportRsp') {
      d.MinTime = u16be(b, 2);
      d.MaxTime = u16be(b, 4);
      d.BatteryChange = b[6]! / 10;
      d.DistanceChange = u16be(b, 7);
      d.TempChange = u16be(b, 9) / 10;
    } else if (cmd === 'GetOnDistanceThresholdRsp') d.OnDistanceThreshold = u16be(b, 2);
    else if (cmd === 'GetFillMaxDistanceRsp') d.FillMaxDistance = u16be(b, 2);
    else if (cmd === 'GetDeadZoneDistanceRsp') d.DeadZoneDistance = u16be(b, 2);
  },
};

/** Tilted once the angle reaches the device's `tiltAlarmDeg` param (R718X reports only the angle). */
function tiltedByAngle(angle: number | undefined, params: DeviceParams): boolean | undefined {
  const limit = param(params, 'tiltAlarmDeg');
  return angle === undefined || limit === undefined ? undefined : angle >= limit;
}

export const r718x: BuiltinModel = {
  id: 'netvox-r718x',
  vendor: 'Netvox',
  name: 'R718X',
  kind: 'bin',
  source: `${SOURCE}r718x-codec.yaml, payload/r718x.js`,
  decode: (frame) => decodeNetvox(frame, R718X),
  map(decoded, params) {
    if (!isStatus(decoded)) return NOTHING;
    const messages: ContractMessage[] = [];
    const distance = num(decoded.Distance);
    // the site's bin depth, when given, is the hub's one definition of fill; else the device's own
    const fill = fillFromDistance(distance, params) ?? clamp(num(decoded.FillLevel), 0, 100);
    const tilted = tiltedByAngle(num(decoded.AngleOfInclination), params);
    const temperature = num(decoded.Temp);
    const volts = readVolt(decoded.Volt).volts;
    messages.push(telemetry({ distance_mm: distance, fill_pct: fill, temperature_c: temperature, tilted, battery_v: volts }));
    if (tilted) messages.push(event('tilted', { fill_pct: fill, temperature_c: temperature }));
    lowBatteryEvent(decoded, messages);
    return { messages, warnings: [] };
  },
  encode(d) {
    const volt = readVolt(d.Volt);
    return encodeNetvoxStatus(0x34, volt.volts ?? 3.6, volt.low, [
      d.Status === 'OFF' ? 0 : 1, ...be16(num(d.Distance) ?? 0), ...be16((num(d.Temp) ?? 20) * 10), num(d.FillLevel) ?? 0, num(d.AngleOfInclination) ?? 0,
    ]);
  },
};

// ---- RA02A: smoke alarm (烟感), device type 0x0A
const RA02A: NetvoxModelSpec = {
  devices: { 0x0a: 'RA02A' },
  commands: { ...COMMON_COMMANDS, 0x03: 'SetAlarmThresholdReq', 0x83: 'SetAlarmThresholdRsp', 0x04: 'GetAlarmThresholdReq', 0x84: 'GetAlarmThresholdRsp' },
  status(b, d) {
    d.FireAlarm = b[4] === 0x00 ? 'No Alarm' : 'Alarm';
    d.HighTempAlarm = b[5] === 0x00 ? 'No Alarm' : 'Alarm';
    d.Temp = s16tenths(b, 6);
  },
  config(cmd, b, d) {
    if (cmd === 'ConfigReportRsp' || cmd === 'SetAlarmThresholdRsp') replyStatus(b, d);
    else if (cmd === 'ReadConfigReportRsp') {
      d.MinTime = u16be(b, 2);
      d.MaxTime = u16be(b, 4);
      d.BatteryChange = b[6]! / 10;
    } else if (cmd === 'GetAlarmThresholdRsp') d.AlarmThreshold = b[2]!;
  },
};

export const ra02a: BuiltinModel = {
  id: 'netvox-ra02a',
  vendor: 'Netvox',
  name: 'RA02A',
  kind: 'smoke',
  source: `${SOURCE}ra02a-codec.yaml, payload/ra02a.js`,
  decode: (frame) => decodeNetvox(frame, RA02A),
  map(decoded) {
    if (!isStatus(decoded)) return NOTHING;
    const messages: ContractMessage[] = [];
    const temperature = num(decoded.Temp);
    const volts = readVolt(decoded.Volt).volts;
    messages.push(telemetry({ temperature_c: temperature, battery_v: volts }));
    // smoke or heat: either is the fire alarm (火警) for the control room
    if (decoded.FireAlarm === 'Alarm' || decoded.HighTempAlarm === 'Alarm') messages.push(event('alarm', { temperature_c: temperature }));
    lowBatteryEvent(decoded, messages);
    return { messages, warnings: [] };
  },
  encode(d) {
    const volt = readVolt(d.Volt);
    return encodeNetvoxStatus(0x0a, volt.volts ?? 3, volt.low, [d.FireAlarm === 'Alarm' ? 1 : 0, d.HighTempAlarm === 'Alarm' ? 1 : 0, ...be16((num(d.Temp) ?? 20) * 10)]);
  },
};

// ---- R718EB: accelerometer / tilt (井盖倾斜), device type 0xC8
const R718EB: NetvoxModelSpec = {
  devices: { 0xc8: 'R718EB' },
  commands: { ...COMMON_COMMANDS, 0x03: 'SetActiveThresholdReq', 0x83: 'SetActiveThresholdRsp', 0x04: 'GetActiveThresholdReq', 0x84: 'GetActiveThresholdRsp' },
  status(b, d) {
    d.AngleX = s16tenths(b, 4);
    d.AngleY = s16tenths(b, 6);
    d.AngleZ = s16tenths(b, 8);
  },
  config(cmd, b, d) {
    if (cmd === 'ConfigReportRsp' || cmd === 'SetActiveThresholdRsp') replyStatus(b, d);
    else if (cmd === 'ReadConfigReportRsp') {
      d.MinTime = u16be(b, 2);
      d.MaxTime = u16be(b, 4);
      d.BatteryChange = b[6]! / 10;
      d.AngleChange = u16be(b, 7) / 10;
    } else if (cmd === 'GetActiveThresholdRsp') {
      d.Threshold = u16be(b, 2);
      d.InActiveTime = b[4]!;
    }
  },
};

export const r718eb: BuiltinModel = {
  id: 'netvox-r718eb',
  vendor: 'Netvox',
  name: 'R718EB',
  kind: 'manhole',
  source: `${SOURCE}r718eb-codec.yaml, payload/r718ea_eb.js`,
  decode: (frame) => decodeNetvox(frame, R718EB),
  map(decoded) {
    if (!isStatus(decoded)) return NOTHING;
    const messages: ContractMessage[] = [];
    const x = num(decoded.AngleX);
    const y = num(decoded.AngleY);
    // mounted flat under the cover: X and Y lie in the cover's plane, so the larger of their angles
    // is how far the cover is tilted from where it was fitted
    const tilt = x === undefined || y === undefined ? undefined : clamp(Math.max(Math.abs(x), Math.abs(y)), 0, 180);
    if (tilt === undefined) return { messages: [], warnings: ['no angles in this frame'] };
    messages.push(telemetry({ tilt_deg: tilt, battery_v: readVolt(decoded.Volt).volts }));
    lowBatteryEvent(decoded, messages);
    return { messages, warnings: [] };
  },
  encode(d) {
    const volt = readVolt(d.Volt);
    return encodeNetvoxStatus(0xc8, volt.volts ?? 3.6, volt.low, [...be16((num(d.AngleX) ?? 0) * 10), ...be16((num(d.AngleY) ?? 0) * 10), ...be16((num(d.AngleZ) ?? 0) * 10)]);
  },
};
