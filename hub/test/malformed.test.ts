import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { uplinkTopic, type DeviceKind } from '@gridhub/core';
import { demoDeviceSecret } from '@gridhub/store';
import { serverAvailable, startInfluxd, stopInfluxdAndClean, waitFor, type Influxd } from '@gridhub/testkit';
import { telemetryFor, type TestDevice } from './publishers.ts';
import { connect, getJson, testHub } from './support.ts';

const now = Date.now();
/** Each kind of malformed payload, the code it must be refused with, and how many to send. */
const MALFORMED: { name: string; code: string; count: number; payload: (kind: DeviceKind, i: number) => Buffer }[] = [
  { name: 'not JSON', code: 'HUB_ERR_PAYLOAD_JSON', count: 2000, payload: (_k, i) => Buffer.from(`temperature=${i}`) },
  { name: 'NaN', code: 'HUB_ERR_PAYLOAD_JSON', count: 1000, payload: (_k, i) => Buffer.from(`{"ts":${now},"seq":${i},"battery_pct":NaN}`) },
  { name: 'wrong types', code: 'HUB_ERR_PAYLOAD_SCHEMA', count: 2000, payload: (k, i) => json({ ...telemetryFor(k, now, i), ts: String(now) }) },
  { name: 'out of range', code: 'HUB_ERR_PAYLOAD_SCHEMA', count: 2000, payload: (k, i) => json({ ...telemetryFor(k, now, i), seq: -i - 1 }) },
  { name: 'unknown field', code: 'HUB_ERR_PAYLOAD_SCHEMA', count: 1000, payload: (k, i) => json({ ...telemetryFor(k, now, i), hacked: true }) },
  { name: 'deeply nested', code: 'HUB_ERR_PAYLOAD_SCHEMA', count: 1000, payload: () => Buffer.from('{"a":'.repeat(1000) + '1' + '}'.repeat(1000)) },
  { name: 'bad UTF-8', code: 'HUB_ERR_PAYLOAD_ENCODING', count: 980, payload: () => Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]) },
  { name: '1 MB', code: 'HUB_ERR_PAYLOAD_TOO_LARGE', count: 20, payload: () => Buffer.alloc(1024 * 1024, 0x20) },
];
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const TOTAL = MALFORMED.reduce((n, m) => n + m.count, 0);

describe.skipIf(!serverAvailable('influxd'))('10,000 malformed messages', () => {
  let influx: Influxd;
  let hub: Awaited<ReturnType<typeof testHub>>;

  beforeAll(async () => {
    influx = await startInfluxd('gridhub');
    // A generous per-device rate so the flood is handled, not throttled, within the test's time.
    hub = await testHub({ influx: { url: influx.url, api: 'v1', bucket: influx.db, org: null, token: null }, deviceRatePerSec: 5000, deviceBurst: 5000 });
  });
  afterAll(async () => {
    await hub?.dispose();
    if (influx) await stopInfluxdAndClean(influx);
  });

  it('are all refused with their reasons, none reaches InfluxDB, and the hub stays up', { timeout: 120_000 }, async () => {
    expect(TOTAL).toBe(10_000);
    const { body } = await getJson(hub, '/api/devices?limit=40');
    const devices: TestDevice[] = body.items.slice(0, MALFORMED.length * 4);
    const clients: MqttClient[] = await Promise.all(devices.map((d) => connect(hub.mqttUrl, { clientId: d.id, username: d.id, password: demoDeviceSecret(d.id) })));
    // Four devices per malformed kind, QoS 1 so every message is known to be handled.
    await Promise.all(
      MALFORMED.map(async (m, k) => {
        const sends: Promise<unknown>[] = [];
        for (let i = 0; i < m.count; i++) {
          const j = k * 4 + (i % 4);
          const d = devices[j]!;
          sends.push(clients[j]!.publishAsync(uplinkTopic(d.kind, d.id, 'telemetry'), m.payload(d.kind, i), { qos: 1 }));
        }
        await Promise.all(sends);
      }),
    );
    await Promise.all(clients.map((c) => c.endAsync()));

    // An unknown device cannot even connect.
    await expect(connect(hub.mqttUrl, { clientId: 'ghost-1', username: 'ghost-1', password: 'whatever-secret' })).rejects.toThrow();

    await waitFor(async () => (await getJson(hub, '/api/refusals?limit=1')).body.total === TOTAL, 30_000, 'all refusals recorded');
    for (const [k, m] of MALFORMED.entries()) {
      let n = 0;
      for (const d of devices.slice(k * 4, k * 4 + 4)) {
        const r = await getJson(hub, `/api/devices/${d.id}/refusals?limit=1`);
        expect(r.body.items[0].code, `${m.name} on ${d.id}`).toBe(m.code);
        n += r.body.total;
      }
      expect(n, m.name).toBe(m.count);
    }
    const metrics = (await hub.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('hub_ingest_refused_total{code="HUB_ERR_PAYLOAD_TOO_LARGE"} 20');
    expect(metrics).toMatch(/hub_mqtt_auth_failures_total [1-9]/);
    // Nothing was stored as a reading.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await influx.count('SELECT count("seq") FROM "telemetry"')).toBe(0);
    expect(hub.ingest.stats().accepted).toBe(0);
    // And the hub still serves: a good reading goes through.
    const d = devices[0]!;
    const c = await connect(hub.mqttUrl, { clientId: d.id, username: d.id, password: demoDeviceSecret(d.id) });
    await c.publishAsync(uplinkTopic(d.kind, d.id, 'telemetry'), json(telemetryFor(d.kind, Date.now(), 1)), { qos: 1 });
    await c.endAsync();
    await waitFor(async () => (await influx.count('SELECT count("seq") FROM "telemetry"')) === 1, 20_000, 'good reading stored');
    expect((await getJson(hub, '/api/health')).status).toBe(200);
  });
});
