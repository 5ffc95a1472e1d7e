import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverAvailable, startInfluxd, stopInfluxdAndClean, waitFor, type Influxd } from '@gridhub/testkit';
import { countAcked, qos1Stream, type TestDevice } from './publishers.ts';
import { getJson, testHub } from './support.ts';

/** The spine against a real influxd (Debian's 1.6.7 through the v1 transport). */
describe.skipIf(!serverAvailable('influxd'))('hub -> InfluxDB (real influxd)', () => {
  let influx: Influxd;
  let hub: Awaited<ReturnType<typeof testHub>>;
  let devices: TestDevice[];

  beforeAll(async () => {
    influx = await startInfluxd('gridhub');
    hub = await testHub({ influx: { url: influx.url, api: 'v1', bucket: influx.db, org: null, token: null } });
    const { body } = await getJson(hub, '/api/devices?limit=1000');
    devices = body.items.map((d: TestDevice) => ({ id: d.id, kind: d.kind }));
  });
  afterAll(async () => {
    await hub?.dispose();
    if (influx) await stopInfluxdAndClean(influx);
  });

  const storedCount = (where: string) => influx.count(`SELECT count("seq") FROM "telemetry" WHERE ${where}`);

  it('stores 10,000 QoS 1 readings from 100 devices, tagged with grid, estate and building', async () => {
    const hundred = devices.filter((d) => d.kind === 'smoke').slice(0, 100);
    expect(hundred).toHaveLength(100);
    const result = await qos1Stream(hub.mqttUrl, hundred, { ratePerSec: 5000, perDevice: 100 });
    expect(result.errors).toBe(0);
    expect(countAcked(result.acked)).toBe(10_000);
    const ids = hundred.map((d) => `'${d.id}'`);
    const where = `"device" =~ /^(${hundred.map((d) => d.id).join('|')})$/`;
    await waitFor(async () => (await storedCount(where)) === 10_000, 30_000, '10,000 readings in InfluxDB');
    const byTag = await influx.query(`SELECT count("seq") FROM "telemetry" WHERE ${where} GROUP BY "grid", "estate", "building"`);
    const series = byTag.results[0].series as { tags: Record<string, string>; values: [number, number][] }[];
    expect(series.every((s) => s.tags.grid && s.tags.estate && s.tags.building)).toBe(true);
    expect(series.reduce((n, s) => n + s.values[0]![1], 0)).toBe(10_000);
    expect(ids.length).toBe(100);
  });

  it('loses nothing and duplicates nothing when influxd is down for 30 s in a 2,000 msg/s QoS 1 stream', { timeout: 180_000 }, async () => {
    const fifty = devices.filter((d) => d.kind !== 'smoke').slice(0, 50);
    let stopped = false;
    let restarted = false;
    const outage: Promise<void>[] = [];
    const result = await qos1Stream(hub.mqttUrl, fifty, {
      ratePerSec: 2000,
      durationMs: 45_000,
      seqStart: 1000,
      onTick: (elapsed) => {
        if (!stopped && elapsed > 5_000) {
          stopped = true;
          outage.push(influx.stop());
        }
        if (stopped && !restarted && elapsed > 35_000) {
          restarted = true;
          outage.push(Promise.all(outage).then(() => influx.start()));
        }
      },
    });
    await Promise.all(outage);
    const acked = countAcked(result.acked);
    console.info(`[influx outage] offered ${result.sent}, acknowledged ${acked}, publish errors ${result.errors}`);
    expect(result.sent).toBeGreaterThan(85_000); // 2,000 msg/s for 45 s, paced by the clock
    expect(acked).toBeGreaterThan(80_000);
    const spoolDepthDuringOutage = hub.ingest.stats().drain?.failures ?? 0;
    expect(spoolDepthDuringOutage).toBeGreaterThan(0); // the sink really failed while influxd was down
    const where = `"device" =~ /^(${fifty.map((d) => d.id).join('|')})$/`;
    await waitFor(async () => (await storedCount(where)) >= acked, 90_000, 'spool drained into InfluxDB');
    // Exactly once: per device, the stored seqs are exactly the acknowledged ones.
    const rows = await influx.query(`SELECT "seq", "device" FROM "telemetry" WHERE ${where}`);
    const stored = new Map<string, number[]>();
    for (const [, seq, device] of rows.results[0].series[0].values as [number, number, string][]) {
      (stored.get(device) ?? stored.set(device, []).get(device)!).push(seq);
    }
    for (const d of fifty) {
      const seqs = stored.get(d.id) ?? [];
      expect(new Set(seqs).size, `${d.id} has no duplicate seq`).toBe(seqs.length);
      const missing = [...result.acked.get(d.id)!].filter((s) => !seqs.includes(s));
      expect(missing, `${d.id}: acknowledged but not stored`).toEqual([]);
    }
    expect((await getJson(hub, '/api/health')).status).toBe(200);
  });
});
