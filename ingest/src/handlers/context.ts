import type { DecodedPayload, DeviceInfo, FieldValue, HubError, Reading, UplinkTopic } from '@gridhub/core';
import type { DeviceStatePatch } from '@gridhub/store';

/** What a message handler gets: a known device of the right kind and a payload that matched its schema. */
export interface HandlerInput {
  device: DeviceInfo;
  topic: UplinkTopic;
  payload: DecodedPayload;
  rxMs: number;
}

/** A handler builds the reading and the device-state patch, or refuses with a coded error. Pure. */
export type HandlerOutput = { reading: Reading; patch: DeviceStatePatch } | { refuse: HubError };
export type MessageHandler = (input: HandlerInput) => HandlerOutput;

/** The payload's measured values: everything but the envelope (`ts`, `seq`). */
export function payloadFields(payload: DecodedPayload): Record<string, FieldValue> {
  const fields: Record<string, FieldValue> = {};
  for (const key in payload) {
    if (key === 'ts' || key === 'seq') continue;
    const v = payload[key];
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') fields[key] = v;
  }
  return fields;
}

/** The reading for `fields`; status messages may lack ts/seq (a will is written at connect time). */
export function buildReading(input: HandlerInput, fields: Record<string, FieldValue>): Reading {
  const { device, topic, payload, rxMs } = input;
  return {
    deviceId: device.id,
    kind: topic.kind,
    message: topic.message,
    tsMs: typeof payload.ts === 'number' ? payload.ts : rxMs,
    seq: typeof payload.seq === 'number' ? payload.seq : 0,
    rxMs,
    place: device.place,
    fields,
  };
}

export function batteryOf(fields: Record<string, FieldValue>): number | undefined {
  const b = fields.battery_pct;
  return typeof b === 'number' ? b : undefined;
}
