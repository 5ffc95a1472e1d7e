import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uplinkTopic } from '@gridhub/core';
import { demoDeviceSecret } from '@gridhub/store';
import { waitFor } from '@gridhub/testkit';
import { telemetryFor, type TestDevice } from './publishers.ts';
import { connect, getJson, testHub } from './support.ts';

describe('150,000 msg/s offered for 10 s', () => {
  let hub: Awaited<ReturnType<typeof testHub>>;
  beforeAll(async () => {
    hub = await testHub();
  });
  afterAll(async () => hub?.dispose());

  it('the hub stays up, sheds what it must (counted in /metrics) and serves normally afterwards', { timeout: 120_000 }, async () => {
    const { body } = await getJson(hub, '/api/devices?limit=200');
    const devices: TestDevice[] = body.items.slice(0, 100);
    const spec = devices.map((d) => ({
      id: d.id,
      secret: demoDeviceSecret(d.id),
      topic: uplinkTopic(d.kind, d.id, 'telemetry'),
      payload: JSON.stringify(telemetryFor(d.kind, Date.now(), 1)),
    }));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'paced-flood.ts'), String(hub.mqttPort), '150000', '10', JSON.stringify(spec)], {
      timeout: 60_000,
      maxBuffer: 1 << 20,
    });
    const flood = JSON.parse(stdout.trim().split('\n').pop()!);
    console.info('offered load', flood);
    expect(flood.offered).toBeGreaterThanOrEqual(1_400_000); // ~150k/s for 10 s were offered
    expect(flood.refused).toBe(0);

    const metrics = (await hub.app.inject({ method: 'GET', url: '/metrics' })).body;
    const shed = [...metrics.matchAll(/^hub_mqtt_shed_total\{reason="(\w+)"\} (\d+)/gm)].reduce((n, m) => n + Number(m[2]), 0);
    const throttled = Number(/^hub_mqtt_throttled_total (\d+)/m.exec(metrics)?.[1] ?? 0);
    expect(shed + throttled).toBeGreaterThan(0);
    // Every QoS 1 PUBACK the flood got was for a message ingest accepted (nothing acked was dropped).
    expect(hub.ingest.stats().handled).toBeGreaterThanOrEqual(flood.pubacks);

    // Serves normally afterwards: health, a fresh device's QoS 1 reading stored and visible.
    await waitFor(async () => (await getJson(hub, '/api/health')).status === 200, 30_000, 'healthy');
    const d = body.items[150] as TestDevice;
    const c = await connect(hub.mqttUrl, { clientId: d.id, username: d.id, password: demoDeviceSecret(d.id) });
    const ts = Date.now();
    await c.publishAsync(uplinkTopic(d.kind, d.id, 'telemetry'), JSON.stringify(telemetryFor(d.kind, ts, 99)), { qos: 1 });
    await c.endAsync();
    await waitFor(async () => (await getJson(hub, `/api/devices/${d.id}`)).body.state?.latestTsMs === ts, 20_000, 'fresh reading');
  });
});
