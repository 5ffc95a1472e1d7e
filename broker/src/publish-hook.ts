import type { AedesOptions, Client } from 'aedes';
import { HubError } from '@gridhub/core';
import { decidePublish, type PublishDecision } from './authorize-publish.ts';
import { admit, TokenBucket } from './rate-limit.ts';
import type { BrokerCounters } from './stats.ts';
import type { BrokerLimits, BrokerOptions, ClientIdentity } from './types.ts';

/**
 * aedes' `authorizePublish` hook, where a PUBLISH is checked, rate-limited and handed to ingest.
 *
 * Why here and not in `published`: in aedes 1.2 a QoS 1 PUBLISH is PUBACKed *before*
 * `broker.publish` runs (lib/handlers/publish.js writes the PubAck, then publishes), so
 * `published`'s callback cannot gate the PUBACK (test/puback.test.ts shows it). Only
 * `authorizePublish` runs before the PUBACK; its callback is what releases it. So: policy
 * (authorize-publish.ts), then admission (rate-limit.ts), then `onDeviceMessage` for a device's
 * own uplink, and only when that resolves does aedes PUBACK and fan the message out. If it
 * rejects, a QoS 1 client is disconnected without PUBACK (it redelivers); a QoS 0 message is
 * dropped and counted. A will published at disconnect takes the same path without the rate limit.
 */
type AuthorizePublish = NonNullable<AedesOptions['authorizePublish']>;

export interface PublishHookDeps {
  identities: WeakMap<Client, ClientIdentity>;
  limits: BrokerLimits;
  counters: BrokerCounters;
  /** Payloads of QoS 0 messages refused here; the fan-out bus skips them. */
  dropped: WeakSet<Buffer>;
  lagMs: () => number;
  onDeviceMessage: BrokerOptions['onDeviceMessage'];
  onIntegrationMessage?: BrokerOptions['onIntegrationMessage'];
  log: NonNullable<BrokerOptions['log']>;
}

type Packet = Parameters<AuthorizePublish>[1];
type Done = Parameters<AuthorizePublish>[2];

export function createPublishHook(deps: PublishHookDeps): AuthorizePublish {
  const { counters } = deps;
  // devices by id (a reconnect does not refill the bucket; bounded by the devices in the site),
  // everyone else per connection
  const deviceBuckets = new Map<string, TokenBucket>();
  const clientBuckets = new WeakMap<Client, TokenBucket>();
  const newBucket = (nowMs: number, who: ClientIdentity) =>
    who.type === 'user' && who.role === 'service'
      ? new TokenBucket(deps.limits.serviceRatePerSec, deps.limits.serviceBurst, nowMs)
      : new TokenBucket(deps.limits.perClientRatePerSec, deps.limits.perClientBurst, nowMs);
  const bucketFor = (client: Client, who: ClientIdentity, nowMs: number): TokenBucket => {
    let b = who.type === 'device' ? deviceBuckets.get(who.deviceId) : clientBuckets.get(client);
    if (!b) {
      b = newBucket(nowMs, who);
      if (who.type === 'device') deviceBuckets.set(who.deviceId, b);
      else clientBuckets.set(client, b);
    }
    return b;
  };

  const drop = (packet: Packet, done: Done) => {
    deps.dropped.add(packet.payload as Buffer);
    packet.retain = false;
    done(null);
  };

  const ingest = (client: Client, packet: Packet, decision: PublishDecision & { allow: true }, rxMs: number, done: Done) => {
    const uplink = decision.uplink;
    const integration = decision.integration && deps.onIntegrationMessage;
    if (!uplink && !integration) return done(null);
    counters.ingestInFlight++;
    const qos = packet.qos;
    const msg = { topic: packet.topic, payload: packet.payload as Buffer, qos, clientId: client.id, rxMs };
    (uplink ? deps.onDeviceMessage(msg) : integration!(msg))
      .then(
        () => {
          if (uplink) counters.messagesIn[uplink.message]++;
          else counters.integrationIn++;
          done(null);
        },
        (err: unknown) => {
          counters.shed.ingest_failed++;
          deps.log('warn', 'onDeviceMessage rejected', { clientId: client.id, qos, err: err instanceof Error ? err.message : String(err) });
          if (qos === 0) drop(packet, done);
          else done(err instanceof Error ? err : new HubError('HUB_ERR_INTERNAL'));
        },
      )
      .finally(() => counters.ingestInFlight--);
  };

  return (client, packet, done) => {
    const rxMs = Date.now();
    const who = client ? deps.identities.get(client) : undefined;
    // client is null only for a will replayed from persistence after a crash: no identity to check it against
    const decision: PublishDecision = who ? decidePublish(who, packet.topic, deps.onIntegrationMessage !== undefined) : { allow: false, reason: 'no identity' };
    if (!client || !who || !decision.allow) {
      counters.denied.publish++;
      return done(new HubError('HUB_ERR_FORBIDDEN_TOPIC', [client?.id ?? '?', 'publish', packet.topic]));
    }
    // a will, published after the connection closed: not rate-limited
    if (client.closed) return ingest(client, packet, decision, rxMs, done);

    const load = { ingestInFlight: counters.ingestInFlight, eventLoopLagMs: deps.lagMs() };
    const admission = admit(bucketFor(client, who, rxMs), packet.qos, decision.uplink !== null || decision.integration !== undefined, load, deps.limits, rxMs);
    switch (admission.action) {
      case 'pass':
        return ingest(client, packet, decision, rxMs, done);
      case 'drop':
        counters.shed[admission.reason]++;
        return drop(packet, done);
      case 'disconnect':
        counters.shed[admission.reason]++;
        return done(new HubError('HUB_ERR_SHED', [admission.reason]));
      case 'hold':
        counters.throttled++;
        setTimeout(() => {
          // the client left while held: nothing was handed to ingest, nothing is acknowledged
          if (client.closed) return done(new HubError('HUB_ERR_SHED', ['client closed while held']));
          ingest(client, packet, decision, rxMs, done);
        }, admission.delayMs);
    }
  };
}
