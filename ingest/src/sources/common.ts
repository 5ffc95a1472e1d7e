import { HubError } from '@gridhub/core';

/** Network servers' JSON is bigger than a device's (gateway metadata): refused past this size. */
export const DEFAULT_MAX_NETWORK_MESSAGE_BYTES = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX_RE = /^(?:[0-9a-fA-F]{2})+$/;

export type Json = Record<string, unknown>;

export function malformed(network: string, why: string): HubError {
  return new HubError('HUB_ERR_NETWORK_MESSAGE', [network, why]);
}

/** Parses a network's JSON object: size, UTF-8, JSON, an object. Throws HUB_ERR_NETWORK_MESSAGE. */
export function parseNetworkJson(network: string, raw: Uint8Array, maxBytes: number): Json {
  if (raw.byteLength > maxBytes) throw malformed(network, `${raw.byteLength} bytes exceed the limit of ${maxBytes}`);
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(raw));
  } catch (err) {
    throw malformed(network, `not JSON (${err instanceof Error ? err.message.slice(0, 80) : 'parse error'})`);
  }
  if (!isObject(value)) throw malformed(network, 'not a JSON object');
  return value;
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** A finite number, or a numeric string (TTS sends 64-bit counters as strings). */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return undefined;
}

/** Strict base64 (RFC 4648, padded): anything else is malformed, never decoded leniently. */
export function base64Bytes(network: string, field: string, v: unknown): Uint8Array {
  if (typeof v !== 'string' || !BASE64_RE.test(v)) throw malformed(network, `${field} is not base64`);
  return new Uint8Array(Buffer.from(v, 'base64'));
}

/** A platform's value carrying a frame: hex when it reads as hex, else strict base64. */
export function hexOrBase64Bytes(network: string, field: string, v: string): Uint8Array {
  return HEX_RE.test(v) ? new Uint8Array(Buffer.from(v, 'hex')) : base64Bytes(network, field, v);
}

/** An RFC 3339 time (ChirpStack, TTS) or epoch ms, as epoch ms inside the contract's range; else undefined. */
export function timeMs(v: unknown): number | undefined {
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(ms) && ms >= 946_684_800_000 && ms <= 4_102_444_800_000 ? Math.trunc(ms) : undefined;
}

/** A 32-bit frame counter (fCnt, upPacketSN); negatives (CTWing's -1: none) and absent ones are 0. */
export function counter(v: unknown): number {
  const n = num(v);
  return n !== undefined && Number.isInteger(n) && n >= 0 && n <= 4_294_967_295 ? n : 0;
}

/** The best-heard gateway among a list of (gateway, rssi, snr). */
export function bestGateway(rx: { gatewayId: string | null; rssi: number | undefined; snr: number | undefined }[]) {
  let best: (typeof rx)[number] | undefined;
  for (const g of rx) if (!best || (g.rssi ?? -Infinity) > (best.rssi ?? -Infinity)) best = g;
  return { rssiDbm: best?.rssi ?? null, snrDb: best?.snr ?? null, gatewayId: best?.gatewayId ?? null, gateways: rx.length };
}

/** FNV-1a, 16 bits: a stable small seq for platforms with no counter (OneNET data streams). */
export function smallHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h & 0xffff;
}
