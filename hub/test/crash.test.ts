import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, serverAvailable, startInfluxd, stopInfluxdAndClean, tempDir, waitFor, type Influxd } from '@gridhub/testkit';
import { countAcked, qos1Stream, type TestDevice } from './publishers.ts';
import { httpLogin, TEST_ADMIN_PASSWORD } from './support.ts';
import { startProductionHub } from '../bench/proc.ts';

const root = join(import.meta.dirname, '..', '..');

/** The hub as its own process, launched as `npm start` launches it, so it can be killed for real. */
async function startHubProcess(env: Record<string, string>, httpPort: number): Promise<ChildProcess> {
  return (await startProductionHub(root, env, { httpPort })).child;
}

describe.skipIf(!serverAvailable('influxd'))('hub killed with kill -9 mid-stream', () => {
  let influx: Influxd;
  let dataDir: string;
  let hub: ChildProcess | null = null;

  beforeAll(async () => {
    influx = await startInfluxd('gridhub');
    dataDir = tempDir('crash');
  });
  afterAll(async () => {
    hub?.kill('SIGKILL');
    if (influx) await stopInfluxdAndClean(influx);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged reading: after a restart all are in InfluxDB', { timeout: 180_000 }, async () => {
    const httpPort = await freePort();
    const mqttPort = await freePort();
    const env = {
      HUB_DATA_DIR: dataDir,
      HUB_HTTP_PORT: String(httpPort),
      HUB_HTTP_HOST: '127.0.0.1',
      HUB_MQTT_PORT: String(mqttPort),
      HUB_MQTT_HOST: '127.0.0.1',
      INFLUX_URL: influx.url,
      INFLUX_API: 'v1',
      INFLUX_BUCKET: influx.db,
      HUB_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    };
    hub = await startHubProcess(env, httpPort);
    const list = (await (await fetch(`http://127.0.0.1:${httpPort}/api/devices?kind=smoke&limit=40`, { headers: await httpLogin(`http://127.0.0.1:${httpPort}`) })).json()) as { items: TestDevice[] };
    const devices: TestDevice[] = list.items.map((d: TestDevice) => ({ id: d.id, kind: d.kind }));

    let killedAt = 0;
    const result = await qos1Stream(`mqtt://127.0.0.1:${mqttPort}`, devices, {
      ratePerSec: 2000,
      durationMs: 8_000,
      onTick: (elapsed) => {
        if (!killedAt && elapsed > 4_000) {
          killedAt = elapsed;
          hub!.kill('SIGKILL');
        }
      },
    });
    const acked = countAcked(result.acked);
    expect(killedAt).toBeGreaterThan(0);
    expect(acked).toBeGreaterThan(4_000); // ~4 s at 2,000 msg/s before the kill
    expect(acked).toBeLessThan(result.sent); // the kill really cut the stream

    hub = await startHubProcess(env, httpPort);
    const where = `"device" =~ /^(${devices.map((d) => d.id).join('|')})$/`;
    await waitFor(async () => (await influx.count(`SELECT count("seq") FROM "telemetry" WHERE ${where}`)) >= acked, 60_000, 'replayed spool in InfluxDB');
    const rows = await influx.query(`SELECT "seq", "device" FROM "telemetry" WHERE ${where}`);
    const stored = new Set((rows.results[0].series[0].values as [number, number, string][]).map(([, seq, device]) => `${device}#${seq}`));
    const missing: string[] = [];
    for (const [device, seqs] of result.acked) for (const s of seqs) if (!stored.has(`${device}#${s}`)) missing.push(`${device}#${s}`);
    expect(missing).toEqual([]);
    hub.kill('SIGTERM');
    await new Promise((r) => hub!.once('exit', r));
    hub = null;
  });
});
