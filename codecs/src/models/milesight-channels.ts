import { hex2, u16le } from '../bytes.ts';

/**
 * Milesight's channel frame (EM300/EM400/EM500 series), any fPort (85 by default): a sequence of
 * `channel id (1 B) · channel type (1 B) · data`. The 0xFF channel carries the device's attributes;
 * 0xFE/0xFF also carry replies to downlinks. Read from the format tables in
 * Milesight-IoT/SensorDecoders em-series/<model>/README.md; reading stops at a channel the model
 * does not have (as the vendor's decoder does).
 */
export type ChannelReader = (b: Uint8Array, i: number, out: Record<string, unknown>) => number;

/** Readers by `id << 8 | type`; each returns how many data bytes it used (0: the frame is too short). */
export type ChannelTable = Record<number, { len: number; read(b: Uint8Array, i: number, out: Record<string, unknown>): void }>;

const CLASSES: Record<number, string> = { 0: 'Class A', 1: 'Class B', 2: 'Class C', 3: 'Class CtoB' };

/** The attribute channels every Milesight device sends after joining. */
export const ATTRIBUTE_CHANNELS: ChannelTable = {
  0xff01: { len: 1, read: (b, i, o) => { o.ipso_version = `v${(b[i]! & 0xf0) >> 4}.${b[i]! & 0x0f}`; } },
  0xff09: { len: 2, read: (b, i, o) => { o.hardware_version = `v${b[i]!.toString(16)}.${b[i + 1]! >> 4}`; } },
  0xff0a: { len: 2, read: (b, i, o) => { o.firmware_version = `v${b[i]!.toString(16)}.${b[i + 1]!.toString(16)}`; } },
  0xffff: { len: 2, read: (b, i, o) => { o.tsl_version = `v${b[i]!}.${b[i + 1]!}`; } },
  0xff16: { len: 8, read: (b, i, o) => { o.sn = Array.from(b.subarray(i, i + 8), hex2).join(''); } },
  0xff0f: { len: 1, read: (b, i, o) => { o.lorawan_class = CLASSES[b[i]!] ?? 'unknown'; } },
  // the vendor reports these two as constants whatever the byte says
  0xfffe: { len: 1, read: (_b, _i, o) => { o.reset_event = 'reset'; } },
  0xff0b: { len: 1, read: (_b, _i, o) => { o.device_status = 'on'; } },
  // replies to the commonest downlinks
  0xff02: { len: 2, read: (b, i, o) => { o.collection_interval = u16le(b, i); } },
  0xff03: { len: 2, read: (b, i, o) => { o.report_interval = u16le(b, i); } },
  0xff10: { len: 1, read: (_b, _i, o) => { o.reboot = 'yes'; } },
  0xfe02: { len: 2, read: (b, i, o) => { o.collection_interval = u16le(b, i); } },
  0xfe03: { len: 2, read: (b, i, o) => { o.report_interval = u16le(b, i); } },
  0xfe10: { len: 1, read: (_b, _i, o) => { o.reboot = 'yes'; } },
};

export function decodeChannels(bytes: Uint8Array, table: ChannelTable): { data: Record<string, unknown>; warnings: string[] } {
  const data: Record<string, unknown> = {};
  const warnings: string[] = [];
  let i = 0;
  while (i + 1 < bytes.length) {
    const key = (bytes[i]! << 8) | bytes[i + 1]!;
    const ch = table[key] ?? ATTRIBUTE_CHANNELS[key];
    if (!ch) {
      warnings.push(`channel ${hex2(bytes[i]!)}${hex2(bytes[i + 1]!)} is not one this model has; the rest is not read`);
      break;
    }
    if (i + 2 + ch.len > bytes.length) {
      warnings.push(`channel ${hex2(bytes[i]!)}${hex2(bytes[i + 1]!)} is cut short`);
      break;
    }
    ch.read(bytes, i + 2, data);
    i += 2 + ch.len;
  }
  return { data, warnings };
}

export const POSITION: Record<number, string> = { 0: 'normal', 1: 'tilt' };
export const THRESHOLD_ALARM: Record<number, string> = { 0: 'threshold_alarm_release', 1: 'threshold_alarm' };

export function lookup(map: Record<number, string>, v: number): string {
  return map[v] ?? 'unknown';
}

/** Encodes channels for simulators: [id, type, ...data] in order. */
export function encodeChannels(parts: number[][]): Uint8Array {
  return new Uint8Array(parts.flat());
}

export function le16(v: number): number[] {
  const x = v & 0xffff;
  return [x & 0xff, x >> 8];
}
