import { Type, type TSchema, type TProperties } from '@sinclair/typebox';

/**
 * Fields every uplink message carries. `ts` is the device's own clock in epoch milliseconds;
 * `seq` is the device's message counter (wraps at 2^32). The hub stamps its own arrival time.
 * Together (device, ts, seq) identify a reading: a retransmitted message is stored once.
 */
export const Envelope = {
  ts: Type.Integer({ minimum: 946_684_800_000, maximum: 4_102_444_800_000, description: 'device time, epoch ms (2000..2100)' }),
  seq: Type.Integer({ minimum: 0, maximum: 4_294_967_295, description: 'device message counter' }),
};

export const BatteryPct = Type.Number({ minimum: 0, maximum: 100, description: 'battery, %' });
export const TemperatureC = Type.Number({ minimum: -40, maximum: 150, description: 'temperature, °C' });
/** Battery voltage, for devices that report volts rather than a percentage (Netvox). */
export const BatteryV = Type.Number({ minimum: 0, maximum: 20, description: 'battery voltage, V' });
export const RssiDbm = Type.Number({ minimum: -150, maximum: 0, description: 'radio signal strength, dBm' });

/** A flat message object: unknown fields are refused so that a firmware typo is seen at once. */
export function message<P extends TProperties>(title: string, properties: P) {
  return Type.Object({ ...Envelope, ...properties }, { title, additionalProperties: false });
}

export type Schema = TSchema;
