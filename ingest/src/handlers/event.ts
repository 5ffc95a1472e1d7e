import type { DeviceStatePatch } from '@gridhub/store';
import { batteryOf, buildReading, payloadFields, type MessageHandler } from './context.ts';

/** Discrete events (alarm, tilted, ebike_detected, ...): the reading carries `event`; state keeps the last one. */
export const handleEvent: MessageHandler = (input) => {
  const fields = payloadFields(input.payload);
  const reading = buildReading(input, fields);
  const patch: DeviceStatePatch = { deviceId: reading.deviceId, lastSeenMs: input.rxMs, lastEvent: String(fields.event), lastEventMs: reading.tsMs };
  const battery = batteryOf(fields);
  if (battery !== undefined) patch.batteryPct = battery;
  return { reading, patch };
};
