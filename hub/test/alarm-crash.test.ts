import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { uplinkTopic } from '@gridhub/core';
import { demoDeviceSecret } from '@gridhub/store';
import { freePort, tempDir, waitFor } from '@gridhub/testkit';
import { startProductionHub } from '../bench/proc.ts';
import { connect, httpLogin, TEST_ADMIN_PASSWORD } from './support.ts';

const root = join(import.meta.dirname, '..', '..');

/**
 * Every acknowledged alarm becomes a ticket, across kill -9: an alarm is PUBACKed, the hub is
 * killed 0-50 ms later and restarted, again and again; at the end each alarm has exactly one
 * ticket. Then the same with the kill landing while the rules engine has a backlog to work off.
 */
describe('kill -9 right after an alarm\'s PUBACK', () => {
  const dataDir = tempDir('alarm-crash');
  let child: ChildProcess | null = null;
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function trials(opts: { n: number; offset: number; backlog: number }): Promise<{ devices: string[]; backlogs: number[] }> {
    const httpPort = await freePort();
    const mqttPort = await freePort();
    const env = {
      HUB_DATA_DIR: dataDir, HUB_HTTP_PORT: String(httpPort), HUB_HTTP_HOST: '127.0.0.1', HUB_MQTT_PORT: String(mqttPort), HUB_MQTT_HOST: '127.0.0.1',
      HUB_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD, HUB_DEVICE_RATE: '100000', HUB_DEVICE_BURST: '100000',
    };
    const base = `http://127.0.0.1:${httpPort}`;
    const url = `mqtt://127.0.0.1:${mqttPort}`;
    child = (await startProductionHub(root, env, { httpPort })).child;
    const auth = await httpLogin(base);
    const smoke = ((await (await fetch(`${base}/api/devices?kind=smoke&limit=1000`, { headers: auth })).json()) as { items: { id: string }[] }).items.map((d) => d.id);
    const bins = ((await (await fetch(`${base}/api/devices?kind=bin&limit=1000`, { headers: auth })).json()) as { items: { id: string }[] }).items.map((d) => d.id);
    const devices = smoke.slice(opts.offset, opts.offset + opts.n);
    expect(devices).toHaveLength(opts.n);
    const backlogs: number[] = [];
    for (const [i, d] of devices.entries()) {
      // Telemetry from 8 bins at once, unawaited: more than the rules engine evaluates in the time
      // the spool takes it, so the alarm queues behind a backlog (one connection alone drains first).
      const lanes = opts.backlog ? bins.slice((i * 8) % (bins.length - 8), ((i * 8) % (bins.length - 8)) + 8) : [];
      const clients: MqttClient[] = await Promise.all(lanes.map((b) => connect(url, { clientId: b, username: b, password: demoDeviceSecret(b), reconnectPeriod: 0 })));
      const burst = (from: number) => {
        for (const [k, bc] of clients.entries()) {
          const b = lanes[k]!;
          for (let s = from; s < from + opts.backlog / lanes.length; s++) void bc.publishAsync(uplinkTopic('bin', b, 'telemetry'), JSON.stringify({ ts: Date.now(), seq: i * 100_000 + s, fill_pct: s % 90, temperature_c: 18, tilted: false, battery_pct: 70 }), { qos: 1 }).catch(() => {});
        }
      };
      const bc = clients.length > 0;
      if (bc) burst(0);
      const c: MqttClient = await connect(url, { clientId: d, username: d, password: demoDeviceSecret(d), reconnectPeriod: 0 });
      await c.publishAsync(uplinkTopic('smoke', d, 'event'), JSON.stringify({ ts: Date.now(), seq: 1, event: 'alarm' }), { qos: 1 });
      // PUBACK received: the alarm is acknowledged. Kill the hub 0-50 ms later.
      const delay = Math.floor(Math.random() * 51);
      if (bc) {
        // More telemetry behind the alarm, and the kill only once the rules engine is behind
        // (its backlog as /api/health reports it; on a fast machine the first burst alone drains
        // before the alarm's PUBACK).
        burst(opts.backlog / lanes.length);
        let backlog = 0;
        for (const t0 = Date.now(); backlog === 0 && Date.now() - t0 < 3000; ) {
          backlog = ((await (await fetch(`${base}/api/health`)).json()) as { parts: { rules: { backlog: number } } }).parts.rules.backlog;
        }
        backlogs.push(backlog);
      }
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
      child = (await startProductionHub(root, env, { httpPort })).child;
    }
    // Every acknowledged alarm: exactly one ticket, one occurrence.
    const auth2 = await httpLogin(base);
    const ticketsOf = async (d: string) => ((await (await fetch(`${base}/api/tickets?device=${d}`, { headers: auth2 })).json()) as { items: { ruleId: string; occurrences: number }[] }).items.filter((t) => t.ruleId === 'smoke.alarm');
    await waitFor(async () => (await Promise.all(devices.map(ticketsOf))).every((l) => l.length >= 1), 120_000, `tickets for all ${opts.n} alarms`);
    const all = await Promise.all(devices.map(ticketsOf));
    expect(all.map((l) => l.length)).toEqual(devices.map(() => 1));
    expect(all.map((l) => l[0]!.occurrences)).toEqual(devices.map(() => 1));
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
    child = null;
    return { devices, backlogs };
  }

  it('50 trials: 50 of 50 alarms have their ticket, 0 duplicates', { timeout: 900_000 }, async () => {
    const r = await trials({ n: 50, offset: 0, backlog: 0 });
    expect(r.devices).toHaveLength(50);
  });

  it('50 trials with the kill during a rules backlog (20,000 readings from 8 bins ahead of each alarm, 20,000 behind): 50 of 50, 0 duplicates', { timeout: 900_000 }, async () => {
    const r = await trials({ n: 50, offset: 50, backlog: 20_000 });
    console.info(`[alarm-crash] rules backlog seen just before each kill: ${r.backlogs.join(' ')}`);
    // The kill landed during a backlog in some trials: the engine is fast and often catches up
    // within the 3 s this waits (8 of 50 on a quiet 2-core machine). Issue 10 stays open for a
    // loop in which every kill lands in a backlog.
    expect(r.backlogs.filter((b) => b > 0).length).toBeGreaterThanOrEqual(1);
  });
});
