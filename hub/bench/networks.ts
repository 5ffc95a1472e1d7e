/**
 * npm run bench:networks — the ChirpStack path against the native path, in the same run (figures,
 * not a test). One in-process hub with a real influxd (Debian's 1.6.7) and a site of N native
 * smoke alarms (each its own MQTT connection, v1 JSON) and N LoRaWAN devices of the built-in models
 * (ChirpStack's MQTT integration JSON, decoded by their codecs), then for each path the same
 * number of QoS 1 uplinks offered as fast as acknowledgements allow (a window of in-flight
 * publishes per connection):
 *   - native: N device connections;
 *   - ChirpStack → hub broker: ONE service-account connection (a network server carries all its
 *     devices on one), each uplink base64 frame → codec → contract → spool;
 *   - ChirpStack bridge: the hub subscribed to a Mosquitto that "ChirpStack" publishes to (QoS 1,
 *     persistent session), when mosquitto is installed.
 * Printed per path: PUBACKs/s and readings CONFIRMED/s (stored in InfluxDB: the sink's writeSuccess).
 * The load generator shares the process and the 2 cores with the hub and influxd.
 * Options: --devices 200 --uplinks 20000 --window 64
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { createCodecRegistry } from '@gridhub/codecs';
import { hashSecret, uplinkTopic, type SiteFile } from '@gridhub/core';
import { chirpstackUplink, MODEL_SAMPLES } from '@gridhub/simulators';
import { serverAvailable, startInfluxd, startMosquitto, stopInfluxdAndClean, tempDir, waitFor } from '@gridhub/testkit';
import { DEFAULT_CONFIG, startHub, type Hub } from '../src/index.ts';
import { telemetryFor } from '../test/publishers.ts';

const { values: args } = parseArgs({ options: { devices: { type: 'string', default: '200' }, uplinks: { type: 'string', default: '20000' }, window: { type: 'string', default: '64' } } });
const N = Number(args.devices);
const UPLINKS = Number(args.uplinks);
const WINDOW = Number(args.window);
const APP = '7d3e5a6c-1a2b-4c3d-9e8f-001122334455';
const SECRET = 'bench-secret-0001';
const log = (...a: unknown[]) => console.error('[bench]', ...a);

const lorawan = Array.from({ length: N }, (_, i) => ({ id: `lw-${i}`, devEui: `a8404100${i.toString(16).padStart(8, '0')}`, sample: MODEL_SAMPLES[i % MODEL_SAMPLES.length]! }));
const native = Array.from({ length: N }, (_, i) => ({ id: `smk-${i}` }));

async function benchSite(dir: string): Promise<{ sitePath: string; mqttUsersPath: string }> {
  const hash = await hashSecret(SECRET);
  const site: SiteFile = {
    version: 1,
    street: { id: 'st-b', name: 'bench' },
    communities: [{ id: 'c-b', name: 'bench', grids: [{ id: 'g-b', name: 'bench', wardens: [], estates: [{
      id: 'e-b', name: 'bench', plan: { width_m: 1000, height_m: 1000 },
      buildings: [{ id: 'b1', name: 'b1', floors: 30, position: { x: 1, y: 1 }, units: [{ id: 'b1-u1', name: 'u1' }] }],
      devices: [
        ...native.map((d) => ({ id: d.id, kind: 'smoke' as const, secret_hash: hash, building: 'b1', unit: 'b1-u1', floor: 1 })),
        ...lorawan.map((d, i) => ({
          id: d.id, kind: d.sample.kind, secret_hash: hash, model: d.sample.model, dev_eui: d.devEui, network_app: APP,
          ...(d.sample.kind === 'smoke' ? { building: 'b1', unit: 'b1-u1', floor: 2 } : { position: { x: 10 + (i % 900), y: 10 + Math.floor(i / 900) } }),
          ...(d.sample.kind === 'bin' ? { bin_depth_mm: 1500 } : {}),
          ...(d.sample.params ? { params: d.sample.params } : {}),
        })),
      ],
    }] }] }],
  };
  const sitePath = join(dir, 'site.json');
  writeFileSync(sitePath, JSON.stringify(site));
  const mqttUsersPath = join(dir, 'users.json');
  writeFileSync(mqttUsersPath, JSON.stringify([{ username: 'chirpstack', password_hash: hash, role: 'service', applications: [APP] }]));
  return { sitePath, mqttUsersPath };
}

/** Publishes `messages` over `clients` (round robin), at most WINDOW in flight per client; resolves with the PUBACK count. */
async function offer(clients: MqttClient[], messages: { client: number; topic: string; payload: string }[]): Promise<number> {
  let acked = 0;
  const queues = clients.map(() => [] as { topic: string; payload: string }[]);
  for (const m of messages) queues[m.client]!.push(m);
  await Promise.all(
    clients.map(async (c, i) => {
      const q = queues[i]!;
      let next = 0;
      const lane = async () => {
        while (next < q.length) {
          const m = q[next++]!;
          await c.publishAsync(m.topic, m.payload, { qos: 1 });
          acked++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(WINDOW, q.length) }, lane));
    }),
  );
  return acked;
}

async function measure(hub: Hub, name: string, run: () => Promise<number>, expected: number): Promise<void> {
  let confirmed = 0;
  const off = hub.ingest.onReadings((r) => (confirmed += r.length));
  const t0 = performance.now();
  const acked = await run();
  const tAck = (performance.now() - t0) / 1000;
  await waitFor(() => confirmed >= expected, 300_000, `${name}: ${expected} readings confirmed`);
  const tConf = (performance.now() - t0) / 1000;
  off();
  console.log(`${name.padEnd(34)} ${String(acked).padStart(7)} uplinks  ${String(Math.round(acked / tAck)).padStart(6)} PUBACK/s  ${String(confirmed).padStart(7)} readings  ${String(Math.round(confirmed / tConf)).padStart(6)} confirmed/s`);
}

const influx = await startInfluxd('gridhub');
const dir = tempDir('bench-networks');
const mosquitto = serverAvailable('mosquitto') ? await startMosquitto() : null;
try {
  const files = await benchSite(dir);
  log(`site: ${N} native smoke alarms, ${N} LoRaWAN devices of ${MODEL_SAMPLES.length} models; ${UPLINKS} uplinks per path, window ${WINDOW}`);
  const hub = await startHub({
    dataDir: dir, ...files, httpPort: 0, mqttPort: 0, httpHost: '127.0.0.1', mqttHost: '127.0.0.1', logLevel: 'error', adminPassword: 'bench-admin-pw', rulesTickMs: 1000,
    influx: { url: influx.url, api: 'v1', bucket: influx.db, org: null, token: null },
    deviceRatePerSec: 1_000_000, deviceBurst: 1_000_000,
    networks: { ...DEFAULT_CONFIG.networks, ...(mosquitto ? { chirpstackMqttUrl: `mqtt://127.0.0.1:${mosquitto.port}`, chirpstackApplications: [APP], bridgeClientId: 'bench-bridge' } : {}) },
  });
  try {
    const codecs = await createCodecRegistry();
    const frames = lorawan.map((d) => codecs.encode(d.sample.model, d.sample.normal));
    await codecs.close();
    const base = Date.now() - 86_400_000;
    const readingsPerFrame = 1; // quiet samples: one telemetry reading each

    // 1. native
    const nativeClients = await Promise.all(native.map((d) => mqtt.connectAsync(hub.mqttUrl, { clientId: d.id, username: d.id, password: SECRET, reconnectPeriod: 0 })));
    const nativeMsgs = Array.from({ length: UPLINKS }, (_, k) => {
      const i = k % N;
      return { client: i, topic: uplinkTopic('smoke', native[i]!.id, 'telemetry'), payload: JSON.stringify(telemetryFor('smoke', base + k, 1 + Math.floor(k / N))) };
    });
    // warm-up (JIT, first fsyncs, influxd's first writes): not measured
    const warm = nativeMsgs.slice(0, Math.min(2000, UPLINKS)).map((m, k) => ({ ...m, payload: JSON.stringify(telemetryFor('smoke', base - 3600_000 + k, 1)) }));
    let warmed = 0;
    const offWarm = hub.ingest.onReadings((r) => (warmed += r.length));
    await offer(nativeClients, warm);
    await waitFor(() => warmed >= warm.length, 60_000, 'warm-up confirmed');
    offWarm();
    await measure(hub, 'native (v1 JSON, 1 conn/device)', () => offer(nativeClients, nativeMsgs), UPLINKS);
    await Promise.all(nativeClients.map((c) => c.endAsync(true)));

    // 2. ChirpStack publishing to the hub's broker
    const csMsgs = (from: number) =>
      Array.from({ length: UPLINKS }, (_, k) => {
        const i = k % N;
        const d = lorawan[i]!;
        const fCnt = from + Math.floor(k / N);
        const m = chirpstackUplink(APP, { devEui: d.devEui, fCnt, fPort: frames[i]!.fPort, bytes: frames[i]!.bytes, timeMs: base + fCnt * 1000 + i });
        return { client: 0, ...m };
      });
    const cs = await mqtt.connectAsync(hub.mqttUrl, { clientId: 'chirpstack', username: 'chirpstack', password: SECRET, reconnectPeriod: 0 });
    await measure(hub, 'ChirpStack -> hub broker (1 conn)', () => offer([cs], csMsgs(1)), UPLINKS * readingsPerFrame);
    // the same with N/10 connections, as a cluster of ChirpStack instances would
    const many = await Promise.all(Array.from({ length: 4 }, (_, i) => mqtt.connectAsync(hub.mqttUrl, { clientId: `chirpstack-${i}`, username: 'chirpstack', password: SECRET, reconnectPeriod: 0 })));
    await measure(hub, 'ChirpStack -> hub broker (4 conns)', () => offer(many, csMsgs(1_000_000).map((m, k) => ({ ...m, client: k % 4 }))), UPLINKS * readingsPerFrame);
    await Promise.all([cs, ...many].map((c) => c.endAsync(true)));

    // 3. the bridge: ChirpStack publishes to its own broker, the hub subscribes
    if (mosquitto) {
      await waitFor(() => hub.bridges.every((b) => b.stats().connected), 10_000, 'bridge connected');
      const ns = await mqtt.connectAsync(`mqtt://127.0.0.1:${mosquitto.port}`, { clientId: 'chirpstack-ns', reconnectPeriod: 0 });
      const bridge = hub.bridges[0]!;
      const before = bridge.stats().received;
      await measure(
        hub,
        'ChirpStack broker -> hub bridge',
        async () => {
          await offer([ns], csMsgs(2_000_000));
          await waitFor(() => bridge.stats().received - before >= UPLINKS, 300_000, 'bridged');
          return bridge.stats().received - before;
        },
        UPLINKS * readingsPerFrame,
      );
      await ns.endAsync(true);
    } else log('mosquitto not installed: bridge path skipped');
    const st = hub.ingest.stats();
    log(`refused ${st.refused.total} (${JSON.stringify(st.refused.byCode)}), duplicates ${st.network.duplicates}`);
  } finally {
    await hub.close();
  }
} finally {
  await mosquitto?.stop();
  await stopInfluxdAndClean(influx);
  rmSync(dir, { recursive: true, force: true });
}
