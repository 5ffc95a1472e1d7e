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

// ---- Network-server integration topics (not the v1 contract: what ChirpStack and TTS publish) ----

/** ChirpStack v4 MQTT integration events the hub ingests; the others carry no reading. */
export const CHIRPSTACK_EVENTS = ['up', 'status', 'join', 'ack', 'txack', 'log', 'location', 'integration'] as const;
export type ChirpstackEvent = (typeof CHIRPSTACK_EVENTS)[number];
/** The Things Stack v3 uplink-side topics the hub reads (`up`, `join`); downlink echoes carry no reading. */
export const TTS_EVENTS = ['up', 'join', 'service/data', 'location/solved', 'down/queued', 'down/sent', 'down/ack', 'down/nack', 'down/failed'] as const;
export type TtsEvent = (typeof TTS_EVENTS)[number];

/**
 * A network server's event topic:
 *   ChirpStack v4: `application/{applicationId}/device/{devEui}/event/{event}`
 *   The Things Stack v3: `v3/{applicationId}@{tenantId}/devices/{deviceId}/{event}`
 * `application` is what a service account is bound to (ChirpStack: the UUID; TTS: `app@tenant`).
 */
export type IntegrationTopic =
  | { network: 'chirpstack'; application: string; devEui: string; event: ChirpstackEvent }
  | { network: 'tts'; application: string; deviceId: string; event: TtsEvent };

const EUI_RE = /^[0-9a-fA-F]{16}$/;
const SEGMENT_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function chirpstackEventTopic(applicationId: string, devEui: string, event: ChirpstackEvent): string {
  return `application/${applicationId}/device/${devEui.toLowerCase()}/event/${event}`;
}

export function ttsUplinkTopic(applicationId: string, tenantId: string, deviceId: string, event: TtsEvent = 'up'): string {
  return `v3/${applicationId}@${tenantId}/devices/${deviceId}/${event}`;
}

/** Filters a bridge subscribes to on the network server's broker ('+' for every application). */
export function chirpstackSubscription(applicationId = '+'): string {
  return `application/${applicationId}/device/+/event/+`;
}
export function ttsSubscription(applicationId: string, tenantId: string): string {
  return `v3/${applicationId}@${tenantId}/devices/+/+`;
}

export function parseIntegrationTopic(topic: string): IntegrationTopic | null {
  const parts = topic.split('/');
  if (parts[0] === 'application' && parts.length === 6 && parts[2] === 'device' && parts[4] === 'event') {
    const [, app, , devEui, , event] = parts as [string, string, string, string, string, string];
    if (!SEGMENT_RE.test(app) || !EUI_RE.test(devEui) || !(CHIRPSTACK_EVENTS as readonly string[]).includes(event)) return null;
    return { network: 'chirpstack', application: app, devEui: devEui.toLowerCase(), event: event as ChirpstackEvent };
  }
  if (parts[0] === 'v3' && parts.length >= 4 && parts[2] === 'devices') {
    const [, app, , deviceId, ...rest] = parts as [string, string, string, string, ...string[]];
    const event = rest.join('/');
    const at = app.indexOf('@');
    if (at <= 0 || !SEGMENT_RE.test(app.slice(0, at)) || !SEGMENT_RE.test(app.slice(at + 1))) return null;
    if (!SEGMENT_RE.test(deviceId) || !(TTS_EVENTS as readonly string[]).includes(event)) return null;
    return { network: 'tts', application: app, deviceId, event: event as TtsEvent };
  }
  return null;
}
