import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverAvailable, startInfluxd, stopInfluxdAndClean, tempDir, waitFor, type Influxd } from '@gridhub/testkit';
import type { Reading } from '@gridhub/core';
import { createInfluxSink } from '../src/index.ts';
import { startDrain, Spool, type SpoolLogger } from '../src/spool/index.ts';
import type { TelemetrySink } from '../src/types.ts';
import { smokeReading, T0 } from './fixtures/readings.ts';
import { sinkContract } from './sink-contract.ts';

const quiet: SpoolLogger = { warn: () => {}, error: () => {} };

describe.skipIf(!serverAvailable('influxd'))('InfluxDB sink (real influxd 1.x)', () => {
  let influx: Influxd;
  let sink: TelemetrySink;
  const dirs: string[] = [];

  beforeAll(async () => {
    influx = await startInfluxd('gridhub');
    sink = createInfluxSink({ url: influx.url, api: 'v1', bucket: influx.db, timeoutMs: 5000, logger: quiet });
  });
  afterAll(async () => {
    await sink?.close();
    if (influx) await stopInfluxdAndClean(influx);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('stores 10,000 readings from 100 devices with their place as tags; the same batch twice counts once', async () => {
    const readings: Reading[] = [];
    for (let seq = 0; seq < 100; seq++) for (let d = 0; d < 100; d++) readings.push(smokeReading(d, seq));
    const t0 = performance.now();
    await sink.write(readings);
    const ms = performance.now() - t0;
    console.log(`influx sink: 10,000 readings in ${ms.toFixed(0)} ms (${Math.round(10_000 / (ms / 1000))} readings/s)`);
    const count = () => influx.count('SELECT count("seq") FROM "telemetry"');
    expect(await count()).toBe(10_000);
    await sink.write(readings);
    expect(await count()).toBe(10_000);

    const tags = await influx.query('SHOW TAG KEYS FROM "telemetry"');
    const keys = (tags.results[0].series[0].values as string[][]).map((v) => v[0]);
    expect(keys).toEqual(expect.arrayContaining(['device', 'kind', 'street', 'community', 'grid', 'estate', 'building', 'unit']));
    expect(await influx.count(`SELECT count("seq") FROM "telemetry" WHERE "grid" = 'g-3'`)).toBe(2000);
    expect(await influx.count(`SELECT count("seq") FROM "telemetry" WHERE "estate" = 'e-7' AND "building" = 'b-7'`)).toBe(500);
    // Device 0 has no unit: the empty tag is omitted, not written as ''.
    expect(await influx.count(`SELECT count("seq") FROM "telemetry" WHERE "device" = 'smoke-0000' AND "unit" = ''`)).toBe(100);
    const one = await influx.query(`SELECT * FROM "telemetry" WHERE "device" = 'smoke-0042' AND time >= ${T0 + 7000}ms AND time < ${T0 + 7001}ms`);
    const cols: string[] = one.results[0].series[0].columns;
    const row: unknown[] = one.results[0].series[0].values[0];
    const get = (c: string) => row[cols.indexOf(c)];
    expect(get('seq')).toBe(7);
    expect(get('rx_ms')).toBe(T0 + 7005);
    expect(get('temperature_c')).toBe(27);
    expect(get('grid')).toBe('g-2');
  });

  it('stores the good points of a batch that has a field type conflict, and resolves', async () => {
    const good = smokeReading(700, 1);
    const clash = { ...smokeReading(700, 2), fields: { temperature_c: 'hot' } };
    await sink.write([smokeReading(700, 0)]);
    await expect(sink.write([good, clash])).resolves.toBeUndefined();
    expect(await influx.count(`SELECT count("seq") FROM "telemetry" WHERE "device" = '${good.deviceId}'`)).toBe(2);
  });

  it('with influxd stopped mid-drain and restarted, everything is stored exactly once', async () => {
    await influx.query('DROP MEASUREMENT "telemetry"').catch(() => {});
    const dir = tempDir('spool-outage');
    dirs.push(dir);
    const spool = await Spool.open<Reading>({ dir, budgetBytes: 256 * 1024 * 1024, logger: quiet });
    const drain = startDrain(spool, { write: (r) => sink.write(r), batchSize: 2000, minBackoffMs: 50, maxBackoffMs: 500, logger: quiet });
    const DEVICES = 50;
    const PER = 300;
    const append = (from: number, to: number) => {
      const ps: Promise<void>[] = [];
      for (let seq = from; seq < to; seq++) for (let d = 0; d < DEVICES; d++) ps.push(spool.append(smokeReading(d, seq)));
      return Promise.all(ps);
    };
    await append(0, 100);
    await influx.stop();
    await append(100, 200);
    await waitFor(() => drain.stats().failures > 0, 10_000, 'a failed write');
    await new Promise((r) => setTimeout(r, 1500));
    expect(spool.stats().depth).toBeGreaterThan(0);
    await influx.start();
    await append(200, PER);
    await waitFor(() => spool.stats().depth === 0, 40_000, 'the spool to drain');
    await drain.stop();
    await spool.close();
    const total = DEVICES * PER;
    expect(await influx.count('SELECT count("seq") FROM "telemetry"')).toBe(total);
    expect(await influx.count(`SELECT count(distinct("seq")) FROM "telemetry" WHERE "device" = 'smoke-0013'`)).toBe(PER);
    expect(drain.stats().written).toBe(total);
  });
});

if (serverAvailable('influxd')) {
  sinkContract('InfluxDB 1.x', async () => {
    const influx = await startInfluxd('contract');
    const sink = createInfluxSink({ url: influx.url, api: 'v1', bucket: influx.db, timeoutMs: 5000, logger: quiet });
    return {
      sink,
      count: (deviceId, message = 'telemetry') => influx.count(`SELECT count("seq") FROM "${message}" WHERE "device" = '${deviceId}'`),
      close: async () => {
        await sink.close();
        await stopInfluxdAndClean(influx);
      },
    };
  });
}
