import type { DeviceKind, MessageKind } from './kinds.ts';
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
  /** Device clock, epoch ms. */
  tsMs: number;
  seq: number;
  /** Hub arrival time, epoch ms. */
  rxMs: number;
  place: DevicePlace;
  /** Measured values and, for events, `event`; for status, `state`. */
  fields: Record<string, FieldValue>;
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
