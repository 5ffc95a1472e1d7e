import { isDeviceKind, isMessageKind, type DeviceKind, type MessageKind } from './kinds.ts';

/**
 * Topic design (see docs/protocol.md): lowercase, general -> specific, versioned.
 *   v1/{kind}/{deviceId}/telemetry | event | status   (uplink, device -> hub)
 *   v1/{kind}/{deviceId}/cmd                           (downlink, hub -> device)
 * The device id equals the MQTT client id. Where a device stands in the grid is looked up
 * in the site, never carried in the topic (grid boundaries get redrawn).
 * This file is the only place topic strings are built or parsed.
 */
export const TOPIC_VERSION = 'v1';
export const CMD_SUFFIX = 'cmd';

/** Device ids: letters, digits, '-', '_', '.'; 1..64 characters; never an MQTT wildcard or '/'. */
export const DEVICE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
const DEVICE_ID_RE = new RegExp(DEVICE_ID_PATTERN);

export function isValidDeviceId(id: string): boolean {
  return DEVICE_ID_RE.test(id);
}

export function uplinkTopic(kind: DeviceKind, deviceId: string, message: MessageKind): string {
  return `${TOPIC_VERSION}/${kind}/${deviceId}/${message}`;
}

export function cmdTopic(kind: DeviceKind, deviceId: string): string {
  return `${TOPIC_VERSION}/${kind}/${deviceId}/${CMD_SUFFIX}`;
}

/** Every topic one device owns: `v1/{kind}/{deviceId}/`. */
export function deviceTopicPrefix(kind: DeviceKind, deviceId: string): string {
  return `${TOPIC_VERSION}/${kind}/${deviceId}/`;
}

/** True for any topic under the device namespace `v1/...`, whoever it belongs to. */
export function isDeviceNamespace(topic: string): boolean {
  return topic === TOPIC_VERSION || topic.startsWith(`${TOPIC_VERSION}/`) || topic.startsWith('+/') || topic === '#' || topic === '+';
}

export interface UplinkTopic {
  kind: DeviceKind;
  deviceId: string;
  message: MessageKind;
}

/** Parses an uplink topic; returns null for anything that is not exactly `v1/{kind}/{id}/{message}`. */
export function parseUplinkTopic(topic: string): UplinkTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 4) return null;
  const [version, kind, deviceId, message] = parts as [string, string, string, string];
  if (version !== TOPIC_VERSION || !isDeviceKind(kind) || !isMessageKind(message)) return null;
  if (!isValidDeviceId(deviceId)) return null;
  return { kind, deviceId, message };
}

/** Parses a downlink command topic `v1/{kind}/{id}/cmd`. */
export function parseCmdTopic(topic: string): { kind: DeviceKind; deviceId: string } | null {
  const parts = topic.split('/');
  if (parts.length !== 4) return null;
  const [version, kind, deviceId, suffix] = parts as [string, string, string, string];
  if (version !== TOPIC_VERSION || !isDeviceKind(kind) || suffix !== CMD_SUFFIX || !isValidDeviceId(deviceId)) return null;
  return { kind, deviceId };
}
