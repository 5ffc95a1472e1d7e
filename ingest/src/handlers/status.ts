import type { DeviceStatePatch } from '@gridhub/store';
import { buildReading, payloadFields, type MessageHandler } from './context.ts';

/**
 * Birth (`online`, published by the device after connecting) and last will (`offline`, published
 * by the broker for a device that vanished) set `connected`. Only a birth counts as being seen.
 */
export const handleStatus: MessageHandler = (input) => {
  const fields = payloadFields(input.payload);
  const reading = buildReading(input, fields);
  const online = fields.state === 'online';
  const patch: DeviceStatePatch = { deviceId: reading.deviceId, connected: online };
  if (online) patch.lastSeenMs = input.rxMs;
  return { reading, patch };
};
