import { isDeviceNamespace, parseCmdTopic, parseIntegrationTopic, parseUplinkTopic, type IntegrationTopic, type UplinkTopic } from '@gridhub/core';
import { hasNullChar } from './topic-rules.ts';
import type { ClientIdentity } from './types.ts';

/**
 * Who may PUBLISH where (the hub's `authorizePublish` policy, pure):
 * - a device: only its own uplink `v1/{its kind}/{its id}/{telemetry|event|status}`;
 * - a service account: downlink `v1/{kind}/{id}/cmd`, and a network server's integration topics
 *   (ChirpStack `application/{app}/device/{devEui}/event/{event}`, TTS `v3/{app}@{tenant}/devices/
 *   {id}/{event}`) for the applications it is bound to, which are ingested (PUBACK once spooled)
 *   — only when the broker has an ingest for them. Nothing else: a service account is how data
 *   enters the hub, and a message it published on any other topic was acknowledged and never
 *   ingested (silent loss);
 * - an operator or an anonymous client: non-device topics only;
 * - nobody: `$SYS/...` (aedes' default rule), or a topic with U+0000 [MQTT-4.7.3-2].
 * A denied publish disconnects the client (aedes behaviour, [MQTT-3.3.5-2]: no error on the wire).
 */
export type PublishDecision =
  | { allow: true; uplink: UplinkTopic | null; integration?: IntegrationTopic }
  | { allow: false; reason: string };

const SYS_PREFIX = '$SYS/';

export function decidePublish(who: ClientIdentity, topic: string, integrations = false): PublishDecision {
  if (hasNullChar(topic)) return { allow: false, reason: 'null character in topic' };
  if (topic.startsWith(SYS_PREFIX)) return { allow: false, reason: '$SYS is reserved' };
  if (who.type === 'device') {
    const up = parseUplinkTopic(topic);
    return up && up.kind === who.kind && up.deviceId === who.deviceId
      ? { allow: true, uplink: up }
      : { allow: false, reason: 'devices publish only on their own uplink topics' };
  }
  if (who.type === 'user' && who.role === 'service') {
    if (parseCmdTopic(topic)) return { allow: true, uplink: null };
    const integration = parseIntegrationTopic(topic);
    if (!integration) return { allow: false, reason: 'a service account publishes only commands and network-server integration events' };
    if (!integrations) return { allow: false, reason: 'this broker ingests no network-server integration events' };
    if (who.applications && !who.applications.includes(integration.application)) {
      return { allow: false, reason: `service account is not bound to application ${integration.application}` };
    }
    return { allow: true, uplink: null, integration };
  }
  if (!isDeviceNamespace(topic)) return { allow: true, uplink: null };
  return { allow: false, reason: 'device topics are not writable by this client' };
}
