import { Type, type TSchema, type TProperties } from '@sinclair/typebox';

/**
 * Fields every uplink message carries. `ts` is the device's own clock in epoch milliseconds
 * (evidence, not authority: the hub orders by its own arrival time); `seq` is the device's
 * message counter (wraps at 2^32).
 * Together (device, ts, seq) identify a reading: a retransmitted message is stored once.
 */
export const Envelope = {
  // Any time is accepted: a wrong device clock never refuses a message (an alarm is an alarm);
  // the hub stores an implausible one at its arrival time, flagged (core/src/clock.ts).
  ts: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'device time, epoch ms; an implausible one is kept, flagged clock-suspect' }),
  seq: Type.Integer({ minimum: 0, maximum: 4_294_967_295, description: 'device message counter' }),
};

export const BatteryPct = Type.Number({ minimum: 0, maximum: 100, description: 'battery, %' });
export const TemperatureC = Type.Number({ minimum: -40, maximum: 150, description: 'temperature, °C' });
export const RssiDbm = Type.Number({ minimum: -150, maximum: 0, description: 'radio signal strength, dBm' });

/** A flat message object: unknown fields are refused so that a firmware typo is seen at once. */
export function message<P extends TProperties>(title: string, properties: P) {
  return Type.Object({ ...Envelope, ...properties }, { title, additionalProperties: false });
}

export type Schema = TSchema;
