import { Type, type Static } from '@sinclair/typebox';
import { TemperatureC, message } from './common.ts';

/** Heartbeat of an e-bike-in-elevator camera (电动车进电梯预警): camera health. */
export const EbikeTelemetry = message('EbikeTelemetry', {
  camera_ok: Type.Boolean(),
  temperature_c: Type.Optional(TemperatureC),
  uptime_s: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type EbikeTelemetry = Static<typeof EbikeTelemetry>;

export const EBIKE_EVENTS = ['ebike_detected', 'ebike_left'] as const;
export const EbikeEvent = message('EbikeEvent', {
  event: Type.Union(EBIKE_EVENTS.map((e) => Type.Literal(e))),
  confidence: Type.Number({ minimum: 0, maximum: 1, description: 'recognition confidence 0..1' }),
  floor: Type.Integer({ minimum: -10, maximum: 200, description: 'floor the car was at' }),
  door_held: Type.Boolean({ description: 'door held open / car refused to run' }),
  snapshot_url: Type.Optional(Type.String({ maxLength: 1024, pattern: '^https?://' })),
});
export type EbikeEvent = Static<typeof EbikeEvent>;
