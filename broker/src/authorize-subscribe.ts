import { cmdTopic, isDeviceNamespace } from '@gridhub/core';
import { isValidTopicFilter } from './topic-rules.ts';
import type { ClientIdentity } from './types.ts';

/**
 * Who may SUBSCRIBE to what (the hub's `authorizeSubscribe` policy, pure):
 * - a device: only its own downlink `v1/{its kind}/{its id}/cmd`;
 * - service and operator accounts: anything (operators are read-only by the publish policy);
 * - an anonymous client: never device topics. A filter that can only match device topics
 *   (`v1`, `v1/...`) or `$SYS` is refused (SUBACK 0x80). A wildcard filter that would also
 *   match them (`#`, `+`, `+/...`) is granted but *filtered*: `forwardAllowed` drops every
 *   device-topic message on the way out. Filtered rather than refused because generic MQTT
 *   clients and conformance suites subscribe to `#` and expect it to work for their own topics.
 * A malformed filter ([MQTT-4.7.1-2], [MQTT-4.7.1-3], [MQTT-4.7.3-2]) is a protocol error:
 * the connection is closed.
 */
export type SubscribeDecision = 'grant' | 'refuse' | 'malformed';

export function decideSubscribe(who: ClientIdentity, filter: string): SubscribeDecision {
  if (!isValidTopicFilter(filter)) return 'malformed';
  switch (who.type) {
    case 'device':
      return filter === cmdTopic(who.kind, who.deviceId) ? 'grant' : 'refuse';
    case 'user':
      return 'grant';
    case 'anonymous':
      if (filter.startsWith('$')) return 'refuse';
      return isDeviceNamespace(filter) && !isWildcardFirstLevel(filter) ? 'refuse' : 'grant';
  }
}

/** The `authorizeForward` half: may this client receive a message published on `topic`? */
export function forwardAllowed(who: ClientIdentity | undefined, topic: string): boolean {
  if (!who) return false;
  return who.type !== 'anonymous' || !isDeviceNamespace(topic);
}

function isWildcardFirstLevel(filter: string): boolean {
  return filter === '#' || filter === '+' || filter.startsWith('+/');
}
