import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { uplinkTopic } from '@gridhub/core';
import { demoDeviceSecret } from '@gridhub/store';
import { waitFor } from '@gridhub/testkit';
import { api, connect, testHub } from './support.ts';

const YEAR = 365 * 86_400_000;

/** Device clocks are evidence (docs/protocol.md "Time"): whatever a clock says, an alarm opens its ticket. */
describe('device clocks through MQTT (demo site)', () => {
  let hub: Awaited<ReturnType<typeof testHub>>;
  let smoke: { id: string }[];
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    hub = await testHub();
    smoke = (await api(hub, 'GET', '/api/devices?kind=smoke&limit=1000')).body.items;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync()));
    await hub?.dispose();
  });

  async function publish(deviceId: string, body: Record<string, unknown>): Promise<void> {
    const c = await connect(hub.mqttUrl, { clientId: deviceId, username: deviceId, password: demoDeviceSecret(deviceId) });
    clients.push(c);
    await c.publishAsync(uplinkTopic('smoke', deviceId, 'event'), JSON.stringify(body), { qos: 1 });
  }
  const ticketsOf = async (deviceId: string) => (await api(hub, 'GET', `/api/tickets?device=${deviceId}`)).body.items as any[];

  it('a clear stamped 2099, then real alarms: the alarm opens its ticket (and the 2099 clear is flagged, not refused)', async () => {
    const d = smoke[20]!.id;
    await publish(d, { ts: Date.parse('2099-01-01T00:00:00Z'), seq: 1, event: 'alarm_cleared' });
    await publish(d, { ts: Date.now(), seq: 2, event: 'alarm' });
    await waitFor(async () => (await ticketsOf(d)).length === 1, 15_000, 'a ticket for the alarm after a 2099 clear');
    const [t] = await ticketsOf(d);
    expect(t).toMatchObject({ ruleId: 'smoke.alarm', occurrences: 1, clockSuspect: false });
    expect((await api(hub, 'GET', `/api/devices/${d}/refusals`)).body.items ?? []).toEqual([]);
    // A second real alarm is an occurrence, as it should be.
    await publish(d, { ts: Date.now(), seq: 3, event: 'alarm' });
    await waitFor(async () => (await ticketsOf(d))[0]?.occurrences === 2, 15_000, 'the second alarm as an occurrence');
  });

  it.each([
    ['ts 0 (never set)', 0, 21],
    ['ts 5000 (1970, counting from boot)', 5000, 22],
    ['a year ahead', Date.now() + YEAR, 23],
  ])('an alarm with %s opens its ticket, flagged clock-suspect, timed at arrival', async (_what, ts, device) => {
    const d = smoke[device]!.id;
    const before = Date.now();
    await publish(d, { ts, seq: 1, event: 'alarm' });
    await waitFor(async () => (await ticketsOf(d)).length === 1, 15_000, `a ticket for an alarm with ts ${ts}`);
    const [t] = await ticketsOf(d);
    expect(t).toMatchObject({ ruleId: 'smoke.alarm', priority: 'P1', clockSuspect: true });
    expect(t.firstSeenMs).toBeGreaterThanOrEqual(before);
    expect(t.firstSeenMs).toBeLessThanOrEqual(Date.now());
  });
});
