import type { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import { HubError, cmdTopic, type DeviceKind } from '@gridhub/core';
import { createAuthenticate } from './authenticate.ts';
import { decideSubscribe, forwardAllowed } from './authorize-subscribe.ts';
import { preConnect } from './client-id.ts';
import { createFanout } from './fanout.ts';
import { DEFAULT_LIMITS, DEFAULT_MAX_PACKET_BYTES } from './limits.ts';
import { createPublishHook } from './publish-hook.ts';
import { limitPacketSize } from './packet-size.ts';
import { LagMonitor } from './rate-limit.ts';
import { SecretVerifier } from './secret-cache.ts';
import { BrokerCounters } from './stats.ts';
import * as transports from './transports.ts';
import type { BrokerOptions, ClientIdentity, HubBroker } from './types.ts';

/**
 * Aedes 1.x with the hub's policies: authenticate, authorize-publish (+ rate limit + ingest),
 * authorize-subscribe, client-id, will; a fan-out bus that sheds instead of crashing; TCP,
 * TLS and WebSocket listeners. See docs in each policy file.
 */
export async function createBroker(opts: BrokerOptions): Promise<HubBroker> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const maxPacketBytes = opts.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
  const log = opts.log ?? (() => {});
  const counters = new BrokerCounters();
  const identities = new WeakMap<Client, ClientIdentity>();
  const devices = new Map<string, Client>();
  const verifier = new SecretVerifier({ maxConcurrent: limits.maxConcurrentHashes, maxQueued: limits.maxQueuedHashes });
  const lag = new LagMonitor();
  const dropped = new WeakSet<Buffer>();

  const mq = createFanout({
    maxInFlight: limits.maxFanoutInFlight,
    dropped,
    onShed: () => counters.shed.fanout_overload++,
    onInFlight: (d) => (counters.fanoutInFlight += d),
  });

  const authorizeSubscribe: NonNullable<AedesOptions['authorizeSubscribe']> = (client, sub, done) => {
    const decision = decideSubscribe(identities.get(client) ?? { type: 'anonymous' }, sub.topic);
    if (decision === 'grant') return done(null, sub);
    counters.denied.subscribe++;
    // [MQTT-4.7.1-2] [MQTT-4.7.1-3] a malformed filter closes the connection; a refused one gets 0x80
    if (decision === 'malformed') return done(new HubError('HUB_ERR_PROTOCOL', [`malformed topic filter ${sub.topic}`]));
    done(null, null);
  };

  const aedes = await Aedes.createBroker({
    mq,
    preConnect,
    authenticate: createAuthenticate({
      deviceCredentials: opts.deviceCredentials,
      users: new Map((opts.users ?? []).map((u) => [u.username, u])),
      allowAnonymous: opts.allowAnonymous ?? false,
      verifier,
      identities,
      onRefused: (kind, client, reason) => {
        if (kind === 'auth') counters.authFailures++;
        else counters.denied.connect++;
        log('warn', 'connect refused', { clientId: client.id, reason });
      },
    }),
    authorizePublish: createPublishHook({
      identities,
      limits,
      counters,
      dropped,
      lagMs: () => lag.lagMs,
      onDeviceMessage: opts.onDeviceMessage,
      ...(opts.onIntegrationMessage ? { onIntegrationMessage: opts.onIntegrationMessage } : {}),
      log,
    }),
    authorizeSubscribe,
    authorizeForward: (client, packet) => (forwardAllowed(identities.get(client), packet.topic) ? packet : null),
  });

  aedes.on('client', (client) => {
    const who = identities.get(client);
    if (who?.type !== 'device') return;
    devices.set(who.deviceId, client);
    opts.onDeviceConnection?.(who.deviceId, true, Date.now());
  });
  aedes.on('clientDisconnect', (client) => {
    const who = identities.get(client);
    if (who?.type !== 'device' || devices.get(who.deviceId) !== client) return;
    devices.delete(who.deviceId);
    opts.onDeviceConnection?.(who.deviceId, false, Date.now());
  });
  aedes.on('clientError', (client, err) => log('info', 'client error', { clientId: client.id, err: err.message }));
  // Unhandled 'error' on an EventEmitter would kill the process; aedes reports persistence
  // failures and will-replay refusals there.
  (aedes as EventEmitter).on('error', (err: Error) => log('error', 'aedes error', { err: err.message }));

  const listeners: transports.Listeners = { servers: [], wss: [], sockets: new Set() };
  const handle = (stream: Duplex, req?: IncomingMessage) => limitPacketSize(aedes.handle(stream, req), maxPacketBytes);

  return {
    aedes,
    listenTcp: (port, host) => transports.listenTcp(listeners, handle, port, host),
    listenTls: (port, host, files) => transports.listenTls(listeners, handle, port, host, files),
    attachWebSocket: (server, path = '/mqtt', allow) => transports.attachWebSocket(listeners, handle, server, path, allow),
    listenWebSocket: (port, host, path = '/mqtt') => transports.listenWebSocket(listeners, handle, port, host, path),
    publishCommand(kind: DeviceKind, deviceId: string, payload) {
      const body = Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
      return new Promise((resolve, reject) => {
        aedes.publish({ cmd: 'publish', topic: cmdTopic(kind, deviceId), payload: body, qos: 1, retain: false, dup: false }, (err) => (err ? reject(err) : resolve()));
      });
    },
    invalidateDevice: (deviceId) => verifier.forget(`device:${deviceId}`),
    disconnectDevice(deviceId) {
      verifier.forget(`device:${deviceId}`);
      const client = devices.get(deviceId);
      if (!client) return false;
      client.close();
      return true;
    },
    stats: () => counters.snapshot({ connections: aedes.connectedClients, devicesConnected: devices.size, eventLoopLagMs: lag.lagMs, authCacheHits: verifier.cacheHits }),
    connectedDeviceIds: () => [...devices.keys()],
    async close() {
      lag.stop();
      await transports.closeListeners(listeners);
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
