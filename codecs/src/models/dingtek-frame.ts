import { i8, u16be } from '../bytes.ts';
import type { TtnDecodeResult, UplinkFrame } from '../types.ts';

/**
 * Dingtek's LoRaWAN frame (DF702/DF703 bins, DC410/DC413 manhole covers), fPort 3:
 *
 *   [0] 0x80 head · [1..2] 0x0001 · [3] type (0x01/0x02 data, 0x03 parameters) · [4] length ·
 *   … · [length-1] 0x81 tail
 *
 * Data, 17 bytes: [5..6] level mm (BE) · [7] 0x00 · [8] temperature °C · [9] angle flag · [10] angle ° ·
 * [11] full alarm (high nibble), fire alarm (low nibble) · [12] tilt/motion alarm (high), battery
 * alarm (low) · [13..14] frame counter (BE) · [15] 0x00.
 * Data with GPS, 25 bytes: as above with longitude and latitude (IEEE 754, little-endian) at [8..15],
 * the rest shifted by 8.
 * Parameters, 25 bytes: [5] firmware major · [6] minor · [7] upload interval h · [8] detection
 * interval min · [9] full threshold cm · [10] fire threshold °C · [11] tilt threshold ° ·
 * [12] tilt detection enabled · [13] work mode / ultrasonic range.
 *
 * Read from the examples in TheThingsNetwork/lorawan-devices vendor/dingtek/{df703,dc410,dc413}-codec.yaml
 * and the format of vendor/dingtek/{df702,dc410}.js.
 */
export const DINGTEK_PORT = 3;

export interface DingtekData {
  level: number;
  temperature: number;
  angle: number;
  full: boolean;
  fire: boolean;
  tilt: boolean;
  battery: boolean;
  frameCounter: number;
  gps?: { longitude: string; latitude: string };
}

export interface DingtekParams {
  major: number;
  minor: number;
  uploadInterval: number;
  detectInterval: number;
  levelThreshold: number;
  fireThreshold: number;
  fallThreshold: number;
  fallEnable: boolean;
  workMode: number;
}

export type DingtekFrame = { type: 'data'; data: DingtekData } | { type: 'params'; params: DingtekParams } | { type: 'error'; error: string };

/**
 * Dingtek's decoder turns the float's bits into a number with the mantissa divided by 0x7fffff (not
 * 2^23), an error below 1e-7 relative; its published coordinates carry it, and so do ours, so that a
 * network server running the vendor's decoder and the hub agree to the last digit.
 */
function dingtekFloat(bits: number): number {
  const sign = bits & 0x80000000 ? -1 : 1;
  const exponent = ((bits >>> 23) & 0xff) - 127;
  const mantissa = 1 + (bits & 0x7fffff) / 0x7fffff;
  return sign * mantissa * 2 ** exponent;
}

function f32le(b: Uint8Array, i: number): number {
  return ((b[i + 3]! << 24) >>> 0) + (b[i + 2]! << 16) + (b[i + 1]! << 8) + b[i]!;
}

/** The angle as the vendor's decoder reports it: the magnitude in [10], negative (0 stays 0). */
function angleAt(b: Uint8Array, i: number): number {
  const v = b[i]!;
  return v === 0 ? 0 : -v;
}

export function parseDingtek(frame: UplinkFrame): DingtekFrame {
  const b = frame.bytes;
  if (frame.fPort !== DINGTEK_PORT) return { type: 'error', error: 'unknown FPort' };
  if (b.length !== 17 && b.length !== 25) return { type: 'error', error: 'wrong length' };
  if (b.length === 25 && b[3] === 0x03) {
    return {
      type: 'params',
      params: {
        major: b[5]!, minor: b[6]!, uploadInterval: b[7]!, detectInterval: b[8]!, levelThreshold: b[9]!,
        fireThreshold: b[10]!, fallThreshold: b[11]!, fallEnable: Boolean(b[12]), workMode: b[13]!,
      },
    };
  }
  const o = b.length === 25 ? 8 : 0; // the GPS fix shifts the rest
  const data: DingtekData = {
    level: u16be(b, 5),
    temperature: i8(b[8 + o]!),
    angle: angleAt(b, 10 + o),
    full: Boolean(b[11 + o]! >> 4),
    fire: Boolean(b[11 + o]! & 0x0f),
    tilt: Boolean(b[12 + o]! >> 4),
    battery: Boolean(b[12 + o]! & 0x0f),
    frameCounter: u16be(b, 13 + o),
  };
  if (o) data.gps = { longitude: dingtekFloat(f32le(b, 8)).toFixed(6), latitude: dingtekFloat(f32le(b, 12)).toFixed(6) };
  return { type: 'data', data };
}

/** A 17-byte data frame (no GPS), type 0x01 (DF70x) or 0x02 (DC41x), for simulators. */
export function encodeDingtek(type: 0x01 | 0x02, d: Omit<DingtekData, 'gps'>): UplinkFrame {
  const b = new Uint8Array(17);
  b[0] = 0x80; b[1] = 0x00; b[2] = 0x01; b[3] = type; b[4] = 0x11;
  b[5] = (d.level >> 8) & 0xff; b[6] = d.level & 0xff;
  b[8] = d.temperature & 0xff;
  b[9] = d.angle !== 0 ? 0x01 : 0x00;
  b[10] = Math.min(255, Math.abs(Math.round(d.angle)));
  b[11] = (d.full ? 0x10 : 0) | (d.fire ? 0x01 : 0);
  b[12] = (d.tilt ? 0x10 : 0) | (d.battery ? 0x01 : 0);
  b[13] = (d.frameCounter >> 8) & 0xff; b[14] = d.frameCounter & 0xff;
  b[16] = 0x81;
  return { fPort: DINGTEK_PORT, bytes: b };
}

export function fail(error: string): TtnDecodeResult {
  return { errors: [error] };
}

/** The decoders' shared skeleton: each model names the fields of its data and parameter reports. */
export function dingtekDecoder(shape: {
  params(p: DingtekParams): Record<string, unknown>;
  data(d: DingtekData): Record<string, unknown>;
  /** Only DF70x's decoder reads the 25-byte data report with a GPS fix. */
  gps: boolean;
}): (frame: UplinkFrame) => TtnDecodeResult {
  return (frame) => {
    const f = parseDingtek(frame);
    if (f.type === 'error') return fail(f.error);
    if (f.type === 'params') return { data: shape.params(f.params) };
    if (f.data.gps && !shape.gps) return fail('wrong length');
    return { data: shape.data(f.data) };
  };
}

/** DF703's and DC413's parameter report: numbers (DC413 has no fire threshold). */
export function numericParams(p: DingtekParams, fire: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    firmware: `${p.major}.${p.minor}`, uploadInterval: p.uploadInterval, detectInterval: p.detectInterval, levelThreshold: p.levelThreshold,
  };
  if (fire) out.fireThreshold = p.fireThreshold;
  out.fallThreshold = p.fallThreshold;
  out.fallEnable = p.fallEnable;
  out.workMode = p.workMode;
  return out;
}

/** DF703's and DC413's data report: numbers and alarm flags (DC413 has no fire alarm). */
export function numericData(d: DingtekData, fire: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { level: d.level };
  if (d.gps) Object.assign(out, d.gps);
  out.alarmLevel = d.full;
  if (fire) out.alarmFire = d.fire;
  out.alarmFall = d.tilt;
  out.alarmBattery = d.battery;
  out.angle = d.angle;
  out.temperature = d.temperature;
  out.frameCounter = d.frameCounter;
  return out;
}
