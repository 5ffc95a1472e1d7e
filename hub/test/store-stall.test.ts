import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { uplinkTopic, withTimeout } from '@gridhub/core';
import { demoDeviceSecret } from '@gridhub/store';
import { serverAvailable, startPostgres, waitFor, type Postgres } from '@gridhub/testkit';
import { api, connect, testHub } from './support.ts';

/**
 * A store that hangs rather than refuses (PostgreSQL frozen with SIGSTOP: a stalled host, a
 * partition): the connections stay open and queries never answer. Health and /metrics still
 * answer at once with the store down, alarms are still acknowledged, and they become tickets
 * once the store moves again.
 */
describe.skipIf(!serverAvailable('postgres'))('the store stalls (frozen, not refusing)', () => {
  let pg: Postgres;
  let hub: Awaited<ReturnType<typeof testHub>>;
  let client: MqttClient | null = null;
  beforeAll(async () => {
    pg = await startPostgres();
    hub = await testHub({ databaseUrl: pg.url });
  });
  afterAll(async () => {
    await client?.endAsync(true);
    await hub?.dispose();
    await pg?.stop();
  });

  it('health says store down within its 2 s probe, /metrics answers, an alarm is acknowledged and becomes its ticket after the thaw', { timeout: 90_000 }, async () => {
    const device = (await api(hub, 'GET', '/api/devices?kind=smoke&limit=1')).body.items[0].id as string;
    client = await connect(hub.mqttUrl, { clientId: device, username: device, password: demoDeviceSecret(device) });
    pg.freeze();
    try {
      await client.publishAsync(uplinkTopic('smoke', device, 'event'), JSON.stringify({ ts: Date.now(), seq: 1, event: 'alarm' }), { qos: 1 });
      const t0 = Date.now();
      const health = await withTimeout(hub.app.inject({ method: 'GET', url: '/api/health' }), 10_000);
      expect(Date.now() - t0).toBeLessThan(3500);
      expect(health.statusCode).toBe(200); // the hub still takes alarms: degraded, not down
      const body = JSON.parse(health.body);
      expect(body.status).toBe('degraded');
      expect(body.parts.store.status).toBe('down');
      expect(body.parts.store.detail).toMatch(/timed out/);
      const t1 = Date.now();
      const metrics = await withTimeout(hub.app.inject({ method: 'GET', url: '/metrics' }), 10_000);
      expect(Date.now() - t1).toBeLessThan(2500);
      expect(metrics.statusCode).toBe(200);
      expect(metrics.body).toMatch(/^hub_rules_backlog [1-9]/m); // the alarm waits, and it shows
      expect(metrics.body).toMatch(/hub_notify_pending left out: the store did not answer/);
    } finally {
      pg.thaw();
    }
    await waitFor(async () => (await hub.rules.tickets.list({ deviceId: device })).some((t) => t.ruleId === 'smoke.alarm'), 30_000, 'the alarm\'s ticket after the thaw');
    expect((await hub.rules.tickets.list({ deviceId: device })).filter((t) => t.ruleId === 'smoke.alarm')).toHaveLength(1);
  });
});
