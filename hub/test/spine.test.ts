import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uplinkTopic } from '@gridhub/core';
import { demoDeviceSecret } from '@gridhub/store';
import { waitFor } from '@gridhub/testkit';
import { connect, getJson, testHub } from './support.ts';

describe('the hub on embedded defaults (SQLite store, embedded telemetry, demo site)', () => {
  let hub: Awaited<ReturnType<typeof testHub>>;
  beforeAll(async () => {
    hub = await testHub();
  });
  afterAll(async () => hub?.dispose());

  it('loads the demo site into the empty store and reports healthy', async () => {
    expect(hub.demoSite).toBe(true);
    const health = await getJson(hub, '/api/health');
    expect(health.status).toBe(200);
    expect(health.body.parts.telemetry.sink).toBe('embedded');
    const site = await getJson(hub, '/api/site');
    expect(site.body.communities[0].grids).toHaveLength(2);
  });

  it('stores a reading published by a demo device and shows it at the device endpoint', async () => {
    const { body: list } = await getJson(hub, '/api/devices?kind=smoke&limit=1');
    const id: string = list.items[0].id;
    const client = await connect(hub.mqttUrl, { clientId: id, username: id, password: demoDeviceSecret(id) });
    const ts = Date.now();
    await client.publishAsync(uplinkTopic('smoke', id, 'telemetry'), JSON.stringify({ ts, seq: 7, obscuration_pct: 1.5, temperature_c: 23.5, battery_pct: 88 }), { qos: 1 });
    await client.endAsync();
    await waitFor(async () => (await getJson(hub, `/api/devices/${id}`)).body.state?.latest?.temperature_c === 23.5, 10_000, 'device state');
    const { body: device } = await getJson(hub, `/api/devices/${id}`);
    expect(device.place.grid).toBeTruthy();
    expect(device.state.batteryPct).toBe(88);
    expect(device.liveness).toBe('online');
    await waitFor(async () => (await getJson(hub, `/api/devices/${id}/history?field=temperature_c&from=${ts - 60_000}&to=${ts + 60_000}`)).body.points.some((p: { value: number | null }) => p.value === 23.5), 10_000, 'history');
  });

  it('filters devices by derived state (liveness)', async () => {
    const online = (await getJson(hub, '/api/devices?state=online&limit=1000')).body;
    const unknown = (await getJson(hub, '/api/devices?state=unknown&limit=1000')).body;
    const all = (await getJson(hub, '/api/devices?limit=1')).body.total;
    expect(online.total).toBeGreaterThan(0); // the devices that reported in the tests above
    expect(online.items.every((d: { liveness: string }) => d.liveness === 'online')).toBe(true);
    expect(unknown.items.every((d: { liveness: string }) => d.liveness === 'unknown')).toBe(true);
    expect(online.total + unknown.total).toBe(all);
    expect((await getJson(hub, '/api/devices?state=asleep')).body.code).toBe('HUB_ERR_VALIDATION');
  });

  it('takes MQTT over WebSocket on the HTTP port (/mqtt) beside Socket.IO', async () => {
    const { body: list } = await getJson(hub, '/api/devices?kind=manhole&limit=1');
    const id: string = list.items[0].id;
    const client = await connect(hub.wsUrl.replace('localhost', '127.0.0.1'), { clientId: id, username: id, password: demoDeviceSecret(id) });
    const ts = Date.now();
    await client.publishAsync(uplinkTopic('manhole', id, 'telemetry'), JSON.stringify({ ts, seq: 3, tilt_deg: 1.5, open: false, water_level_cm: 12, battery_pct: 77 }), { qos: 1 });
    await client.endAsync();
    await waitFor(async () => (await getJson(hub, `/api/devices/${id}`)).body.state?.latestTsMs === ts, 10_000, 'reading over WebSocket');
  });

  it('refuses a malformed payload with a coded reason in the device record', async () => {
    const { body: list } = await getJson(hub, '/api/devices?kind=bin&limit=1');
    const id: string = list.items[0].id;
    const client = await connect(hub.mqttUrl, { clientId: id, username: id, password: demoDeviceSecret(id) });
    await client.publishAsync(uplinkTopic('bin', id, 'telemetry'), '{"ts": "yesterday"}', { qos: 1 });
    await client.endAsync();
    await waitFor(async () => (await getJson(hub, `/api/devices/${id}/refusals`)).body.total === 1, 10_000, 'refusal');
    const { body } = await getJson(hub, `/api/devices/${id}/refusals`);
    expect(body.items[0].code).toBe('HUB_ERR_PAYLOAD_SCHEMA');
    expect(body.items[0].head).toContain('yesterday');
  });

  it('answers unknown routes and bad queries with coded errors, and serves metrics and OpenAPI', async () => {
    expect((await getJson(hub, '/api/devices/nope')).body.code).toBe('HUB_ERR_NOT_FOUND');
    expect((await getJson(hub, '/api/devices?limit=0')).body.code).toBe('HUB_ERR_VALIDATION');
    const metrics = await hub.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/hub_mqtt_messages_in_total\{message="telemetry"\} [1-9]/);
    expect(metrics.body).toMatch(/hub_ingest_refused_total\{code="HUB_ERR_PAYLOAD_SCHEMA"\} 1/);
    expect(metrics.body).toContain('hub_spool_depth');
    expect(metrics.body).toMatch(/^hub_ingest_stored_latency_seconds_bucket\{le="0\.\d+"\} \d+$/m);
    expect(metrics.body).toMatch(/^hub_ingest_stored_latency_seconds_count [1-9]/m);
    const openapi = await getJson(hub, '/docs/json');
    expect(Object.keys(openapi.body.paths)).toContain('/api/devices/{id}/history');
  });
});

describe('the generated admin password', () => {
  it('is written to a file only its owner can read, never to the log', async () => {
    const { statSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(String(chunk));
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
    const { startHub } = await import('../src/index.ts');
    const { tempDir } = await import('@gridhub/testkit');
    const dataDir = tempDir('admin');
    let hub: Awaited<ReturnType<typeof startHub>> | undefined;
    try {
      hub = await startHub({ dataDir, httpPort: 0, mqttPort: 0, httpHost: '127.0.0.1', mqttHost: '127.0.0.1', logLevel: 'warn', adminPassword: null });
      const file = join(dataDir, 'admin-password.txt');
      const password = readFileSync(file, 'utf8').trim();
      expect(password.length).toBeGreaterThanOrEqual(16);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(lines.join('')).toContain('admin-password.txt');
      expect(lines.join('')).not.toContain(password);
      const login = await hub.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password } });
      expect(login.statusCode).toBe(200);
    } finally {
      process.stdout.write = write;
      await hub?.close();
      (await import('node:fs')).rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the demo site given as HUB_SITE (as npm run demo does)', () => {
  it('gets its demo users, and keeps them on a restart', async () => {
    const { DEMO_SITE_PATH } = await import('@gridhub/store');
    const { tempDir } = await import('@gridhub/testkit');
    const dataDir = tempDir('demo-site');
    for (let start = 0; start < 2; start++) {
      const hub = await testHub({ dataDir, sitePath: DEMO_SITE_PATH });
      try {
        expect(hub.demoSite).toBe(true);
        const res = await hub.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'operator', password: 'demo-operator' } });
        expect(res.statusCode, `start ${start + 1}`).toBe(200);
      } finally {
        await hub.close();
      }
    }
    (await import('node:fs')).rmSync(dataDir, { recursive: true, force: true });
  });
});
