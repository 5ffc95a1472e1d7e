import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { uplinkTopic } from '@gridhub/core';
import { cachedGeneratedSite, type SiteDevice } from '@gridhub/simulators';
import { serverAvailable, startPostgres, tempDir, waitFor, type Postgres } from '@gridhub/testkit';
import { connect, getJson, testHub } from './support.ts';

/**
 * PostgreSQL stopped for 30 s while 50 smoke alarms arrive (10 buildings x 3 detectors + 20 lone
 * ones, each in a building of its own) among 2,000 msg/s of QoS 1 telemetry. Every alarm is
 * acknowledged (the spool has it), the API answers 503 HUB_ERR_STORE_UNAVAILABLE meanwhile, and
 * once PostgreSQL is back every alarm has its ticket, every building its one fire incident,
 * occurrences exact, nothing doubled.
 */
describe.skipIf(!serverAvailable('postgres'))('the store away for 30 s under load', () => {
  let pg: Postgres;
  let hub: Awaited<ReturnType<typeof testHub>>;
  const simDir = tempDir('outage-site');
  let devices: SiteDevice[];
  let sitePath: string;
  beforeAll(async () => {
    pg = await startPostgres();
    const site = await cachedGeneratedSite(simDir, { estates: 6, devices: 1500, seed: 10 });
    devices = site.devices;
    sitePath = site.path;
    hub = await testHub({ databaseUrl: pg.url, sitePath: site.path, deviceRatePerSec: 1000, deviceBurst: 1000 });
  });
  afterAll(async () => {
    await hub?.dispose();
    await pg?.stop();
    rmSync(simDir, { recursive: true, force: true });
  });

  it('every acknowledged alarm becomes its ticket and incident once the store returns; the API said 503 with a code meanwhile', { timeout: 300_000 }, async () => {
    const secret = new Map(devices.map((d) => [d.id, d.secret!]));
    const byBuilding = new Map<string, SiteDevice[]>();
    for (const d of devices) if (d.kind === 'smoke' && d.buildingId) byBuilding.set(d.buildingId, [...(byBuilding.get(d.buildingId) ?? []), d]);
    const buildings = [...byBuilding.entries()];
    const groups = buildings.filter(([, ds]) => ds.length >= 3).slice(0, 10).map(([b, ds]) => ({ building: b, alarms: ds.slice(0, 3) }));
    const lone = buildings.filter(([b]) => !groups.some((g) => g.building === b)).slice(0, 20).map(([b, ds]) => ({ building: b, alarm: ds[0]! }));
    expect(groups).toHaveLength(10);
    expect(lone).toHaveLength(20);
    const alarmIds = new Set([...groups.flatMap((g) => g.alarms.map((d) => d.id)), ...lone.map((l) => l.alarm.id)]);
    expect(alarmIds.size).toBe(50);

    // The alarm devices connect before the outage (a login needs the store).
    const clients = new Map<string, MqttClient>();
    for (const id of alarmIds) clients.set(id, await connect(hub.mqttUrl, { clientId: id, username: id, password: secret.get(id)!, reconnectPeriod: 0 }));

    const answers: { status: number; code?: string; retryAfter: string | null }[] = [];
    const health: { status: number; store?: string; rules?: string }[] = [];
    let alarmsAcked = 0;
    await adminToken();
    // 2,000 msg/s of QoS 1 telemetry for 50 s from 100 devices, in a process of its own.
    const load = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'site-load.ts'), hub.mqttUrl, sitePath, '2000', '50', '100'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let loadOut = '';
    load.stdout.on('data', (b: Buffer) => void (loadOut += b.toString()));
    const stream = new Promise<{ sent: number; acked: number; ackedPerSec: number }>((resolve) => load.once('exit', () => resolve(JSON.parse(loadOut.trim().split('\n').at(-1)!))));
    await waitFor(() => hub.broker.stats().devicesConnected >= 150, 60_000, 'the background devices connected');
    await new Promise((r) => setTimeout(r, 3000));
    await pg.halt();
    const haltedAt = Date.now();
    // 50 alarms over 20 s, in building order: each group's three within a few seconds.
    const order = [...groups.flatMap((g) => g.alarms.map((d) => d.id)), ...lone.map((l) => l.alarm.id)];
    const alarms = (async () => {
      for (const [i, id] of order.entries()) {
        await clients.get(id)!.publishAsync(uplinkTopic('smoke', id, 'event'), JSON.stringify({ ts: Date.now(), seq: 1, event: 'alarm', obscuration_pct: 14 }), { qos: 1 });
        alarmsAcked++;
        await new Promise((r) => setTimeout(r, i < 30 ? 300 : 400));
      }
    })();
    while (Date.now() - haltedAt < 30_000) {
      const res = await fetch(`${hub.httpUrl}/api/tickets?limit=1`, { headers: { authorization: `Bearer ${(await adminToken())}` } });
      answers.push({ status: res.status, code: ((await res.json()) as { code?: string }).code, retryAfter: res.headers.get('retry-after') });
      const h = await getJson(hub, '/api/health');
      health.push({ status: h.status, store: h.body.parts?.store?.status, rules: h.body.parts?.rules?.status });
      await new Promise((r) => setTimeout(r, 2000));
    }
    await alarms;
    expect(alarmsAcked).toBe(50); // every alarm acknowledged while the store was away
    await pg.resume();
    const result = await stream;
    // 2,000 msg/s offered throughout (what this shared machine acknowledged of it is printed).
    expect(result.sent).toBeGreaterThan(90_000);
    console.info(`[outage] telemetry offered ${result.sent}, acknowledged ${result.acked} (${Math.round(result.ackedPerSec)}/s); API answers during the outage: ${answers.map((a) => a.status).join(' ')}`);

    // Meanwhile: 503 with its code and Retry-After, never a bare 500; health said store down, 200.
    expect(answers.length).toBeGreaterThan(5);
    expect(answers.filter((a) => a.status === 500)).toEqual([]);
    expect(answers.slice(1, -1).every((a) => a.status === 503 && a.code === 'HUB_ERR_STORE_UNAVAILABLE' && a.retryAfter === '5')).toBe(true);
    expect(health.slice(1, -1).every((h) => h.status === 200 && h.store === 'down')).toBe(true);
    expect(health.some((h) => h.rules === 'degraded')).toBe(true);

    // Afterwards: every alarm its ticket, each building one incident, occurrences exact.
    const ticketsOf = async () => (await hub.rules.tickets.list({ ruleId: 'smoke.alarm', limit: 10_000 })).filter((t) => alarmIds.has(t.deviceId)) as any[];
    await waitFor(async () => (await ticketsOf()).length >= 50 && hub.rules.backlog() === 0, 120_000, 'all 50 tickets after the store returned');
    const tickets = await ticketsOf();
    expect(tickets).toHaveLength(50);
    expect(new Set(tickets.map((t) => t.deviceId)).size).toBe(50);
    expect(tickets.every((t) => t.occurrences === 1)).toBe(true);
    for (const g of groups) {
      const mine = tickets.filter((t) => g.alarms.some((d) => d.id === t.deviceId));
      expect(mine).toHaveLength(3);
      expect(new Set(mine.map((t) => t.incidentId)).size).toBe(1);
      expect(mine[0].incidentId).not.toBeNull();
    }
    for (const l of lone) expect(tickets.find((t) => t.deviceId === l.alarm.id).incidentId).toBeNull();
    const incidents = await hub.store.db.selectFrom('incidents' as never).selectAll().execute();
    expect(incidents).toHaveLength(10);
    const occ = await hub.store.db.selectFrom('ticket_occurrences' as never).select(['device_id' as never]).execute();
    expect(occ.filter((o: any) => alarmIds.has(o.device_id))).toHaveLength(50);
    // The event log has each ticket's creation once.
    const created = (await hub.eventLog.readAfter(0, 1_000_000)).filter((e) => e.event.type === 'occurrence' && e.event.created && alarmIds.has(e.event.ticket.deviceId));
    expect(created).toHaveLength(50);
    for (const c of clients.values()) await c.endAsync(true);
  });

  let token: string | null = null;
  async function adminToken(): Promise<string> {
    if (!token) {
      const { httpLogin } = await import('./support.ts');
      token = (await httpLogin(hub.httpUrl)).authorization.replace(/^Bearer /, '');
    }
    return token;
  }
});
