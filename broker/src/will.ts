import { uplinkTopic } from '@gridhub/core';
import { decidePublish } from './authorize-publish.ts';
import type { ClientIdentity } from './types.ts';

/**
 * Will (last-will) policy, checked at CONNECT: a device's will topic must be its own status
 * topic `v1/{kind}/{id}/status` (so ingest sees it like any status message); anyone else's
 * will must pass the publish policy. A refused will refuses the connection (CONNACK 0x05)
 * rather than silently dropping the will at disconnect time.
 */
export function willRefusal(who: ClientIdentity, will: { topic: string } | undefined | null): string | null {
  if (!will) return null;
  if (who.type === 'device') {
    return will.topic === uplinkTopic(who.kind, who.deviceId, 'status') ? null : 'a device will must be its own status topic';
  }
  const d = decidePublish(who, will.topic);
  return d.allow ? null : `will topic refused: ${d.reason}`;
}
