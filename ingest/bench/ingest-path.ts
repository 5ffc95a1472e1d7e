/**
 * A short measurement (~20 s) of the ingest path on this machine:
 *   A. spool alone: appends/s with group commit, fsyncs/s;
 *   B. handle() (topic, device cache, decode, handler) -> spool -> drain -> real influxd:
 *      messages accepted/s and readings confirmed/s end to end, sink write rate.
 * Run: npx tsx ingest/bench/ingest-path.ts   (needs influxd for B)
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { serverAvailable, startInfluxd, stopInfluxdAndClean, tempDir } from '@gridhub/testkit';
import { contractDeviceFields, uplinkTopic, type DeviceInfo, type Reading } from '@gridhub/core';
import { createInfluxSink, createIngest, Spool } from '../src/index.ts';
import { placeOf, smokeReading, T0 } from '../test/fixtures/readings.ts';

const quiet = { warn: () => {}, error: () => {} };
/** Messages awaiting their PUBACK at once (many devices, QoS 1); first argument, default 2000. */
const IN_FLIGHT = Number(process.argv[2] ?? 2000);

async function benchSpool(n: number): Promise<void> {
  const dir = tempDir('bench-spool');
  const spool = await Spool.open<Reading>({ dir, budgetBytes: 2 * 1024 ** 3, logger: quiet });
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      await spool.append(smokeReading(i % 1000, i));
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const s = (performance.now() - t0) / 1000;
  const st = spool.stats();
  const p99 = percentile(st.commitLatency.bucketsMs, st.commitLatency.cumulative, 0.99);
  console.log(
    `A. spool: ${n} appends in ${s.toFixed(2)} s = ${Math.round(n / s)} appends/s; ${st.fsyncs} fsyncs = ${Math.round(st.fsyncs / s)} fsyncs/s ` +
      `(${Math.round(n / st.fsyncs)} records per fsync); append->durable mean ${(st.commitLatency.sumMs / st.commitLatency.count).toFixed(1)} ms, p99 <= ${p99} ms`,
  );
  await spool.close();
  rmSync(dir, { recursive: true, force: true });
}

async function benchEndToEnd(n: number): Promise<void> {
  const influx = await startInfluxd('bench');
  const dir = tempDir('bench-ingest');
  const devices: DeviceInfo[] = Array.from({ length: 1000 }, (_, d) => ({
    id: smokeReading(d, 0).deviceId, kind: 'smoke', name: null, estateId: placeOf(d).estate, buildingId: placeOf(d).building, unitId: placeOf(d).unit,
    floor: 1, elevatorId: null, x: null, y: null, installedAt: null, binDepthMm: null, sensorOffsetMm: null, ...contractDeviceFields(), place: placeOf(d),
  }));
  const store = { allDeviceInfo: async () => devices, recordRefusals: async () => {}, upsertDeviceStates: async () => {} };
  const sink = createInfluxSink({ url: influx.url, api: 'v1', bucket: influx.db, timeoutMs: 10_000, logger: quiet });
  const ingest = createIngest({ store, sink, spool: { dir: join(dir, 'spool'), budgetBytes: 2 * 1024 ** 3 }, logger: quiet });
  await ingest.start();
  const topics = devices.map((d) => uplinkTopic('smoke', d.id, 'telemetry'));
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const payload = Buffer.from(JSON.stringify({ ts: T0 + i, seq: i, obscuration_pct: (i % 7) * 0.5, temperature_c: 21.5, battery_pct: 90 }));
      await ingest.handle({ topic: topics[i % 1000]!, payload, qos: 1, clientId: devices[i % 1000]!.id, rxMs: Date.now() });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const tAccepted = (performance.now() - t0) / 1000;
  while ((ingest.stats().spool?.depth ?? 1) > 0) await new Promise((r) => setTimeout(r, 20));
  const tConfirmed = (performance.now() - t0) / 1000;
  const st = ingest.stats();
  const d = st.drain!;
  const writeS = d.writeLatency.sumMs / 1000;
  console.log(
    `B. end to end: ${n} messages accepted (durable) in ${tAccepted.toFixed(2)} s = ${Math.round(n / tAccepted)}/s; ` +
      `all confirmed by InfluxDB after ${tConfirmed.toFixed(2)} s = ${Math.round(n / tConfirmed)} readings/s; ` +
      `${st.spool!.fsyncs} fsyncs; ${d.batches} sink writes, mean batch ${Math.round(d.written / d.batches)}, ` +
      `sink rate while writing ${Math.round(d.written / writeS)} readings/s`,
  );
  const count = await influx.count('SELECT count("seq") FROM "telemetry"');
  console.log(`   InfluxDB holds ${count} points (expected ${n})`);
  await ingest.stop();
  await stopInfluxdAndClean(influx);
  rmSync(dir, { recursive: true, force: true });
}

function percentile(bounds: readonly number[], cumulative: number[], q: number): number | string {
  const total = cumulative[cumulative.length - 1]!;
  const i = cumulative.findIndex((c) => c >= total * q);
  return i < bounds.length ? bounds[i]! : '+Inf';
}

await benchSpool(200_000);
if (serverAvailable('influxd')) await benchEndToEnd(200_000);
