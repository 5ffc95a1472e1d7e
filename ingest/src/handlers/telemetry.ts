import { HubError } from '@gridhub/core';
import type { DeviceStatePatch } from '@gridhub/store';
import { batteryOf, buildReading, payloadFields, type MessageHandler } from './context.ts';

/**
 * Bin fill level from the ultrasonic distance, in % (0..100, one decimal):
 * fill = 1 - (distance - offset) / depth, where depth runs from the sensor to the bin's floor
 * and offset is the sensor's height above the rim. Null without a configured depth.
 */
export function binFillPct(distanceMm: number, depthMm: number | null, offsetMm: number | null): number | null {
  if (!depthMm || depthMm <= 0) return null;
  const fill = 1 - (distanceMm - (offsetMm ?? 0)) / depthMm;
  return Math.round(Math.min(1, Math.max(0, fill)) * 1000) / 10;
}

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
