import type { DeviceKind, MessageKind } from './kinds.ts';
import type { ClockSuspicion } from './clock.ts';
import type { DevicePlace } from './site.ts';

export type FieldValue = number | boolean | string;

/**
 * A validated, enriched uplink message: what ingest spools and writes to the telemetry store.
 * (deviceId, tsMs, seq) is its identity: writing it twice stores it once.
 */
export interface Reading {
  deviceId: string;
  kind: DeviceKind;
  message: MessageKind;
  /**
   * When the reading happened, epoch ms: the device's clock when it is plausible, else the hub's
   * arrival time (and `clockSuspect` is set, `deviceTsMs` keeps what the device said).
   */
  tsMs: number;
  seq: number;
  /** Hub arrival time, epoch ms. */
  rxMs: number;
  place: DevicePlace;
  /** Measured values and, for events, `event`; for status, `state`. */
  fields: Record<string, FieldValue>;
  /** The device's clock was implausible (unset, before install, too far ahead): `tsMs` is the arrival time. */
  clockSuspect?: ClockSuspicion;
  /** What the device's clock said, when `clockSuspect`. */
  deviceTsMs?: number;
}

/**
 * A reading's identity as the device sent it: (device ts, seq). The same message delivered twice
 * (a QoS 1 redelivery) has the same key, whatever time it arrived.
 */
export function readingKey(r: Pick<Reading, 'deviceId' | 'tsMs' | 'seq' | 'deviceTsMs'>): string {
  return `${r.deviceId}:${r.deviceTsMs ?? r.tsMs}:${r.seq}`;
}

/** A message the hub refused, with its coded reason: recorded per device, never a reading. */
export interface Refusal {
  topic: string;
  deviceId: string | null;
  clientId: string | null;
  code: string;
  reason: string;
  /** First bytes of the payload, hex-safe printable preview (at most 64 bytes). */
  head: string;
  bytes: number;
  rxMs: number;
}

/** A printable preview of the first bytes of a payload, for the refusal record. */
export function payloadHead(payload: Uint8Array, max = 64): string {
  const slice = Buffer.from(payload.subarray(0, max));
  return slice.toString('latin1').replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
