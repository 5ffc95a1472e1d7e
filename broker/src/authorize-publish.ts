import { isDeviceNamespace, parseCmdTopic, parseUplinkTopic, type UplinkTopic } from '@gridhub/core';
import { hasNullChar } from './topic-rules.ts';
import type { ClientIdentity } from './types.ts';

/**
 * Who may PUBLISH where (the hub's `authorizePublish` policy, pure):
 * - a device: only its own uplink `v1/{its kind}/{its id}/{telemetry|event|status}`;
 * - a service account: downlink `v1/{kind}/{id}/cmd`, and any non-device topic;
 * - an operator or an anonymous client: non-device topics only;
 * - nobody: `$SYS/...` (aedes' default rule), or a topic with U+0000 [MQTT-4.7.3-2].
 * A denied publish disconnects the client (aedes behaviour, [MQTT-3.3.5-2]: no error on the wire).
 */
export type PublishDecision =
  | { allow: true; uplink: UplinkTopic | null }
  | { allow: false; reason: string };

const SYS_PREFIX = '$SYS/';

export function decidePublish(who: ClientIdentity, topic: string): PublishDecision {
  if (hasNullChar(topic)) return { allow: false, reason: 'null character in topic' };
  if (topic.startsWith(SYS_PREFIX)) return { allow: false, reason: '$SYS is reserved' };
  if (who.type === 'device') {
    const up = parseUplinkTopic(topic);
    return up && up.kind === who.kind && up.deviceId === who.deviceId
      ? { allow: true, uplink: up }
      : { allow: false, reason: 'devices publish only on their own uplink topics' };
  }
  if (!isDeviceNamespace(topic)) return { allow: true, uplink: null };
  if (who.type === 'user' && who.role === 'service' && parseCmdTopic(topic)) return { allow: true, uplink: null };
  return { allow: false, reason: 'device topics are not writable by this client' };
}
