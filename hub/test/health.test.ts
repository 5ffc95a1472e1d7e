import { afterAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { uplinkTopic } from '@gridhub/core';
import { freePort, waitFor } from '@gridhub/testkit';
import { demoDeviceSecret } from '@gridhub/store';
import { healthOf, type HealthInput } from '../src/health.ts';
import { api, connect, getJson, testHub } from './support.ts';

const spool = { full: false, filling: false, depth: 0, bytes: 1000, budgetBytes: 1 << 30, oldestAgeMs: 0 } as NonNullable<HealthInput['ingest']['spool']>;
const fine: HealthInput = {
  broker: { listening: true, connections: 3, devicesConnected: 2 },
  storeError: null, storeLatencyMs: 1, dialect: 'postgres',
  sinkError: null, sinkLatencyMs: 2, sink: 'influxdb',
  ingest: { spool, drain: { consecutiveFailures: 0, lastError: null } as NonNullable<HealthInput['ingest']['drain']> },
  rules: { backlog: 0, backlogAgeMs: 0, consecutiveFailures: 0, lastError: null, evaluated: 10 },
  nowMs: 0,
};

describe('health tells the truth (pure verdicts)', () => {
  it.each([
    ['all well', fine, 'ok', {}],
    ['spool full: the next message cannot fit', { ...fine, ingest: { ...fine.ingest, spool: { ...spool, full: true, filling: true } } }, 'down', { spool: ['down', /^full: the next message cannot fit/] }],
    ['spool filling', { ...fine, ingest: { ...fine.ingest, spool: { ...spool, filling: true } } }, 'degraded', { spool: ['degraded', /^filling/] }],
    ['store unreachable: alarms still taken', { ...fine, storeError: 'connect ECONNREFUSED 127.0.0.1:5432' }, 'degraded', { store: ['down', /^unreachable: connect ECONNREFUSED/] }],
    ['telemetry sink down', { ...fine, sinkError: 'timed out after 2 s' }, 'degraded', { telemetry: ['down', /^unreachable: timed out/] }],
    ['telemetry writes failing', { ...fine, ingest: { ...fine.ingest, drain: { consecutiveFailures: 4, lastError: { message: 'HTTP 500', atMs: 1 } } as never } }, 'degraded', { telemetry: ['down', /writes failing \(4 in a row\): HTTP 500/] }],
    ['rules backlog older than 2 s', { ...fine, rules: { ...fine.rules, backlog: 4000, backlogAgeMs: 12_000 } }, 'degraded', { rules: ['degraded', /^backlog: 4000 readings waiting, oldest 12 s/] }],
    ['rules cannot commit', { ...fine, rules: { ...fine.rules, backlog: 50, backlogAgeMs: 30_000, consecutiveFailures: 9, lastError: { message: 'connect ECONNREFUSED', atMs: 1 } } }, 'degraded', { rules: ['degraded', /^cannot commit \(9 tries\): connect ECONNREFUSED; 50 readings waiting, oldest 30 s/] }],
    ['a short backlog being evaluated is fine', { ...fine, rules: { ...fine.rules, backlog: 20, backlogAgeMs: 300 } }, 'ok', { rules: ['ok', /20 readings being evaluated/] }],
    ['broker not listening', { ...fine, broker: { ...fine.broker, listening: false } }, 'down', { broker: ['down', /not listening/] }],
  ] as const)('%s', (_what, input, status, parts) => {
    const h = healthOf(input as HealthInput);
    expect(h.status).toBe(status);
    for (const [name, [st, reason]] of Object.entries(parts)) {
      expect(h.parts[name]!.status).toBe(st);
      expect(h.parts[name]!.detail).toMatch(reason);
    }
    for (const [name, p] of Object.entries(h.parts)) if (!(name in parts)) expect([name, p.status]).toEqual([name, 'ok']);
  });
});

describe('health of a running hub whose telemetry sink is down and spool small', () => {
  let hub: Awaited<ReturnType<typeof testHub>> | null = null;
  let client: MqttClient | null = null;
  afterAll(async () => {
    await client?.endAsync(true);
    await hub?.dispose();
  });

  it('says the sink is down and the hub degraded (200); once the spool cannot take the next message, down (503) with the reason', { timeout: 120_000 }, async () => {
    const deadPort = await freePort(); // nothing listens there
    hub = await testHub({ influx: { url: `http://127.0.0.1:${deadPort}`, api: 'v1', bucket: 'gridhub', org: null, token: null }, spoolBudgetBytes: 1024 * 1024, deviceRatePerSec: 1_000_000, deviceBurst: 1_000_000 });
    await waitFor(async () => (await getJson(hub!, '/api/health')).body.parts?.telemetry?.status === 'down', 15_000, 'telemetry down');
    const degraded = await getJson(hub, '/api/health');
    expect(degraded.status).toBe(200);
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.parts.telemetry.detail).toMatch(/^unreachable|^writes failing/);
    const device = (await api(hub, 'GET', '/api/devices?kind=smoke&limit=1')).body.items[0].id as string;
    client = await connect(hub.mqttUrl, { clientId: device, username: device, password: demoDeviceSecret(device) });
    // Fill the spool (about 300 bytes a reading) until the hub stops acknowledging.
    let refused = false;
    for (let seq = 1; seq < 20_000 && !refused; seq += 200) {
      const batch = Array.from({ length: 200 }, (_, i) =>
        client!.publishAsync(uplinkTopic('smoke', device, 'telemetry'), JSON.stringify({ ts: Date.now(), seq: seq + i, obscuration_pct: 0.1, temperature_c: 20, battery_pct: 90 }), { qos: 1 }),
      );
      refused = await Promise.race([Promise.all(batch).then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 3000))]);
    }
    expect(refused).toBe(true);
    const down = await getJson(hub, '/api/health');
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('down');
    expect(down.body.parts.spool).toMatchObject({ status: 'down', full: true });
    expect(down.body.parts.spool.detail).toMatch(/^full: the next message cannot fit/);
    expect(down.body.parts.spool.bytes).toBeLessThanOrEqual(1024 * 1024);
  });
});
