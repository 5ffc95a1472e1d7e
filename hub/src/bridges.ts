import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { chirpstackSubscription, ttsSubscription } from '@gridhub/core';
import type { Ingest } from '@gridhub/ingest';
import type { HubConfig } from './config.ts';

/**
 * The hub as a client of a network server's broker (ChirpStack's Mosquitto, The Things Stack's
 * MQTT server), feeding each event to ingest like a service account's publish on the hub's own
 * broker. For ChirpStack: QoS 1 and a persistent session (clean: false, a fixed client id), and
 * the PUBACK to the remote broker only once ingest resolved (spooled, refused and recorded, or a
 * known redelivery): if ingest rejects (spool full, disk failing), the connection is dropped
 * without PUBACK and the remote broker redelivers on reconnect. TTS speaks QoS 0 only: what it
 * publishes while the bridge is away, or in the instant before a crash, is not redelivered.
 * mqtt.js hands messages to `handleMessage` one at a time and PUBACKs after its callback, so a
 * bridge's throughput is one spool commit per message (bench:codecs prints it).
 */
export interface Bridge {
  name: string;
  client: MqttClient;
  stats(): { received: number; failed: number; connected: boolean };
  close(): Promise<void>;
}

export interface BridgeSpec {
  name: 'chirpstack' | 'tts';
  url: string;
  clientId: string;
  filters: string[];
  qos: 0 | 1;
}

export function bridgeSpecs(n: HubConfig['networks']): BridgeSpec[] {
  const specs: BridgeSpec[] = [];
  if (n.chirpstackMqttUrl) {
    const apps = n.chirpstackApplications.length > 0 ? n.chirpstackApplications : ['+'];
    specs.push({ name: 'chirpstack', url: n.chirpstackMqttUrl, clientId: `${n.bridgeClientId}-cs`, filters: apps.map((a) => chirpstackSubscription(a)), qos: 1 });
  }
  if (n.ttsMqttUrl) {
    const filters = n.ttsApplications.map((a) => {
      const [app, tenant] = a.split('@') as [string, string];
      return ttsSubscription(app, tenant);
    });
    specs.push({ name: 'tts', url: n.ttsMqttUrl, clientId: `${n.bridgeClientId}-tts`, filters, qos: 0 });
  }
  return specs;
}

export function startBridge(spec: BridgeSpec, ingest: Pick<Ingest, 'handleIntegration'>, log: Logger): Bridge {
  let received = 0;
  let failed = 0;
  const client = mqtt.connect(spec.url, {
    clientId: spec.clientId,
    clean: spec.qos === 0,
    reconnectPeriod: 2000,
    connectTimeout: 10_000,
    // a persistent session resumes what the remote broker holds for us
    resubscribe: true,
  });
  client.on('connect', (connack) => {
    log.info({ bridge: spec.name, sessionPresent: connack.sessionPresent }, 'network server bridge connected');
    client.subscribe(spec.filters.map((f) => f), { qos: spec.qos }, (err) => {
      if (err) log.error({ bridge: spec.name, err: err.message }, 'bridge subscribe failed');
    });
  });
  client.on('error', (err) => log.warn({ bridge: spec.name, err: err.message }, 'network server bridge error'));
  client.handleMessage = (packet, callback) => {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    ingest.handleIntegration({ topic: packet.topic, payload, qos: packet.qos, clientId: `bridge:${spec.name}`, rxMs: Date.now() }).then(
      () => {
        received++;
        callback();
      },
      (err: unknown) => {
        failed++;
        log.warn({ bridge: spec.name, err: err instanceof Error ? err.message : String(err) }, 'ingest refused a bridged message: reconnecting without PUBACK so the broker redelivers');
        // no PUBACK: drop the connection; the persistent session redelivers the message
        client.stream.destroy();
      },
    );
  };
  return {
    name: spec.name,
    client,
    stats: () => ({ received, failed, connected: client.connected }),
    close: () => new Promise<void>((resolve) => client.end(false, {}, () => resolve())),
  };
}
