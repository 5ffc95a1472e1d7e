import { HubError, binFillPct } from '@gridhub/core';
import type { DeviceStatePatch } from '@gridhub/store';
import { batteryOf, buildReading, payloadFields, type MessageHandler } from './context.ts';

export { binFillPct };

/** Periodic readings: every measured value becomes a field and the device's latest values. */
export const handleTelemetry: MessageHandler = (input) => {
  const fields = payloadFields(input.payload);
  if (input.topic.kind === 'bin' && fields.fill_pct === undefined) {
    if (typeof fields.distance_mm !== 'number') {
      return { refuse: new HubError('HUB_ERR_PAYLOAD_SCHEMA', ['BinTelemetry', '/ needs fill_pct or distance_mm']) };
    }
    const fill = binFillPct(fields.distance_mm, input.device.binDepthMm, input.device.sensorOffsetMm);
    if (fill !== null) fields.fill_pct = fill;
  }
  const reading = buildReading(input, fields);
  const patch: DeviceStatePatch = { deviceId: reading.deviceId, lastSeenMs: input.rxMs, latest: fields, latestTsMs: reading.tsMs };
  const battery = batteryOf(fields);
  if (battery !== undefined) patch.batteryPct = battery;
  return { reading, patch };
};
