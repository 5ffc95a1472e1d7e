import { hex2, u16be } from '../bytes.ts';
import type { TtnDecodeResult, UplinkFrame } from '../types.ts';

/**
 * Netvox's LoRaWAN frame, 11 bytes (TheThingsNetwork/lorawan-devices vendor/netvox/payload/*.js):
 * fPort 6, reports: [0] version · [1] device type · [2] report type (0x00 startup version: [3] software
 * version ×10 · [4] hardware version · [5..8] date code BCD; 0x01 status: [3] battery V ×10, bit 7 =
 * low battery · [4..] per model).
 * fPort 7, replies to configuration commands: [0] command id · [1] device type · [2..] per command.
 */
export const NETVOX_REPORT_PORT = 6;
export const NETVOX_CONFIG_PORT = 7;

export interface NetvoxModelSpec {
  /** Device type byte → name, as the vendor's decoder names them. */
  devices: Record<number, string>;
  /** Command ids (requests and their responses, 0x80 | id). */
  commands: Record<number, string>;
  status(b: Uint8Array, data: Record<string, unknown>): void;
  config(cmd: string, b: Uint8Array, data: Record<string, unknown>): void;
}

/** Netvox's signed ×10 figures: two's complement, big-endian, tenths. */
export function s16tenths(b: Uint8Array, i: number): number {
  const v = u16be(b, i);
  return v & 0x8000 ? -((0x10000 - v) / 10) : v / 10;
}

/** Battery volts, or the vendor's text with "(low battery)" when bit 7 is set. */
export function netvoxVolt(byte: number): number | string {
  return byte & 0x80 ? `${(byte & 0x7f) / 10}(low battery)` : byte / 10;
}

/** The volts and the low-battery flag from the decoded `Volt` (number or the vendor's text). */
export function readVolt(v: unknown): { volts?: number; low: boolean } {
  if (typeof v === 'number') return { volts: v, low: false };
  if (typeof v === 'string') {
    const n = Number.parseFloat(v);
    return { volts: Number.isFinite(n) ? n : undefined, low: /low battery/i.test(v) };
  }
  return { low: false };
}

function setDevice(data: Record<string, unknown>, spec: NetvoxModelSpec, b: Uint8Array) {
  const name = spec.devices[b[1]!];
  if (name !== undefined) data.Device = name;
}

/** Status of a Set…/Config… response: 0x00 is success. */
export function replyStatus(b: Uint8Array, data: Record<string, unknown>) {
  data.Status = b[2] === 0x00 ? 'Success' : 'Failure';
}

export function decodeNetvox(frame: UplinkFrame, spec: NetvoxModelSpec): TtnDecodeResult {
  const b = frame.bytes;
  const data: Record<string, unknown> = {};
  if (frame.fPort === NETVOX_REPORT_PORT) {
    if (b.length < 11) return { errors: ['frame shorter than 11 bytes'] };
    setDevice(data, spec, b);
    if (b[2] === 0x00) {
      data.SWver = b[3]! / 10;
      data.HWver = b[4]!;
      data.Datecode = hex2(b[5]!) + hex2(b[6]!) + hex2(b[7]!) + hex2(b[8]!);
      return { data };
    }
    data.Volt = netvoxVolt(b[3]!);
    spec.status(b, data);
    return { data };
  }
  if (frame.fPort === NETVOX_CONFIG_PORT) {
    if (b.length < 11) return { errors: ['frame shorter than 11 bytes'] };
    const cmd = spec.commands[b[0]!];
    if (cmd !== undefined) data.Cmd = cmd;
    setDevice(data, spec, b);
    if (cmd !== undefined) spec.config(cmd, b, data);
    return { data };
  }
  return { errors: ['unknown FPort'] };
}

/** The common config commands every Netvox model has. */
export const COMMON_COMMANDS: Record<number, string> = {
  0x01: 'ConfigReportReq',
  0x81: 'ConfigReportRsp',
  0x02: 'ReadConfigReportReq',
  0x82: 'ReadConfigReportRsp',
};

/** A status report frame (fPort 6) for simulators: header, battery, then the model's bytes. */
export function encodeNetvoxStatus(deviceType: number, volts: number, lowBattery: boolean, rest: number[]): UplinkFrame {
  const b = new Uint8Array(11);
  b[0] = 0x01;
  b[1] = deviceType;
  b[2] = 0x01;
  b[3] = (Math.round(volts * 10) & 0x7f) | (lowBattery ? 0x80 : 0);
  rest.slice(0, 7).forEach((v, i) => (b[4 + i] = v & 0xff));
  return { fPort: NETVOX_REPORT_PORT, bytes: b };
}

export function be16(v: number): number[] {
  const x = Math.round(v) & 0xffff;
  return [x >> 8, x & 0xff];
}
