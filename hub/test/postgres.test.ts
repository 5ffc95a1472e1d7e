import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uplinkTopic } from '@gridhub/core';
import { demoDeviceSecret } from '@gridhub/store';
import { serverAvailable, startPostgres, waitFor, type Postgres } from '@gridhub/testkit';
import { connect, getJson, testHub } from './support.ts';

/** The whole hub on PostgreSQL (DATABASE_URL): site, device state, refusals, telemetry, tickets. */
describe.skipIf(!serverAvailable('postgres'))('the hub on a real PostgreSQL', () => {
  let pg: Postgres;
  let hub: Awaited<ReturnType<typeof testHub>>;
  beforeAll(async () => {
    pg = await startPostgres();
    hub = await testHub({ databaseUrl: pg.url });
  });
  afterAll(async () => {
    await hub?.dispose();
    await pg?.stop();
  });

  it('loads the demo site, stores a reading and an alarm, and opens one ticket', async () => {
    expect(hub.store.dialect).toBe('postgres');
    expect(hub.demoSite).toBe(true);
    const { body: list } = await getJson(hub, '/api/devices?kind=smoke&limit=1');
    const id: string = list.items[0].id;
    const client = await connect(hub.mqttUrl, { clientId: id, username: id, password: demoDeviceSecret(id) });
    const ts = Date.now();
    await client.publishAsync(uplinkTopic('smoke', id, 'telemetry'), JSON.stringify({ ts, seq: 1, obscuration_pct: 0.3, temperature_c: 24, battery_pct: 81 }), { qos: 1 });
    for (let i = 0; i < 5; i++) {
      await client.publishAsync(uplinkTopic('smoke', id, 'event'), JSON.stringify({ ts: ts + 1 + i, seq: 2 + i, event: 'alarm' }), { qos: 1 });
    }
    await client.publishAsync(uplinkTopic('smoke', id, 'telemetry'), '{"ts": "now"}', { qos: 1 });
    await client.endAsync();
    await waitFor(async () => (await getJson(hub, `/api/devices/${id}`)).body.state?.batteryPct === 81, 15_000, 'device state');
    await waitFor(async () => (await getJson(hub, `/api/devices/${id}/refusals`)).body.total === 1, 15_000, 'refusal');
    await waitFor(async () => (await getJson(hub, `/api/devices/${id}/history?field=temperature_c&from=${ts - 1000}&to=${ts + 1000}`)).body.points.some((p: { value: number | null }) => p.value === 24), 15_000, 'history');
    await waitFor(async () => (await getJson(hub, `/api/tickets?limit=50`)).body.items?.some((t: { deviceId: string }) => t.deviceId === id), 15_000, 'ticket');
    const tickets = (await getJson(hub, '/api/tickets?limit=50')).body.items.filter((t: { deviceId: string; ruleId: string }) => t.deviceId === id && t.ruleId === 'smoke.alarm');
    expect(tickets).toHaveLength(1);
    await waitFor(async () => (await getJson(hub, `/api/tickets/${tickets[0].id}`)).body.ticket.occurrences === 5, 15_000, 'five occurrences');
  });
});
