import type { TObject } from '@sinclair/typebox';
import type { DeviceKind, MessageKind } from '../kinds.ts';
import { BinEvent, BinTelemetry } from './bin.ts';
import { EbikeEvent, EbikeTelemetry } from './ebike.ts';
import { ManholeEvent, ManholeTelemetry } from './manhole.ts';
import { SmokeEvent, SmokeTelemetry } from './smoke.ts';
import { Status } from './status.ts';

export * from './bin.ts';
export * from './ebike.ts';
export * from './manhole.ts';
export * from './smoke.ts';
export * from './status.ts';
export { Envelope } from './common.ts';

/** The schema of every uplink message, by device kind and message kind. */
export const PAYLOAD_SCHEMAS: Record<DeviceKind, Record<MessageKind, TObject>> = {
  smoke: { telemetry: SmokeTelemetry, event: SmokeEvent, status: Status },
  bin: { telemetry: BinTelemetry, event: BinEvent, status: Status },
  manhole: { telemetry: ManholeTelemetry, event: ManholeEvent, status: Status },
  ebike: { telemetry: EbikeTelemetry, event: EbikeEvent, status: Status },
};
