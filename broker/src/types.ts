import type { DeviceKind } from '@gridhub/core';

/** What the broker needs to know about a device to authenticate and authorize it. */
export interface DeviceCredentials {
  kind: DeviceKind;
  secretHash: string;
}

/**
 * A message accepted by the broker on a device topic, handed to ingest. For QoS 1 the broker
 * sends PUBACK only after `onDeviceMessage` resolves (the message is durably spooled or refused
 * and recorded); if it rejects, no PUBACK is sent and the device will redeliver.
 */
export interface DeviceMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  clientId: string;
  /** Broker arrival time, epoch ms. */
  rxMs: number;
}
