import { binFillPct } from '@gridhub/core';
import type { ContractMessage, DeviceParams } from './types.ts';

/**
 * Small helpers the per-model mappings share. A mapping is pure: decoded object + the device's
 * params in, contract payloads out (no ts/seq: the ingest path stamps them). A flag that is set
 * becomes an event every time the device reports it; the rules engine keeps one ticket open for it.
 */

/** The payload without the fields that are undefined (the contract refuses `undefined` as absent). */
export function defined(payload: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) if (v !== undefined) out[k] = v;
  return out;
}

export function telemetry(payload: Record<string, unknown>): ContractMessage {
  return { channel: 'telemetry', payload: defined(payload) };
}

export function event(name: string, extra: Record<string, unknown> = {}): ContractMessage {
  return { channel: 'event', payload: defined({ event: name, ...extra }) };
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A vendor figure carried as a string with its unit (Dingtek DC410: '1700 mm'). */
export function numberIn(v: unknown): number | undefined {
  if (typeof v === 'number') return num(v);
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(-?\d+(?:\.\d+)?)/.exec(v);
  return m ? Number(m[1]) : undefined;
}

/** A number param from the site (numbers may arrive as strings from a YAML or CSV). */
export function param(params: DeviceParams, key: string): number | undefined {
  const v = params[key];
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** Bin fill from distance and the site's depth/offset; undefined without a depth. */
export function fillFromDistance(distanceMm: number | undefined, params: DeviceParams): number | undefined {
  if (distanceMm === undefined) return undefined;
  return binFillPct(distanceMm, param(params, 'binDepthMm'), param(params, 'sensorOffsetMm')) ?? undefined;
}

/** Clamp into the contract's range and round to one decimal. */
export function clamp(v: number | undefined, lo: number, hi: number): number | undefined {
  if (v === undefined) return undefined;
  return Math.round(Math.min(hi, Math.max(lo, v)) * 10) / 10;
}

/**
 * Water level above the floor of a well from the sensor's distance to the surface:
 * level = depth - distance, with `wellDepthMm` (sensor to floor) from the device's params.
 */
export function waterLevelCm(distanceMm: number | undefined, params: DeviceParams): number | undefined {
  const depth = param(params, 'wellDepthMm');
  if (distanceMm === undefined || depth === undefined || depth <= 0) return undefined;
  return clamp((depth - distanceMm) / 10, 0, 500);
}
