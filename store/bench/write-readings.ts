/**
 * Measures embedded-telemetry writes: batches of `--batch` readings (default 5,000; 3 numeric
 * fields + 1 string each), `--batches` times (default 10), then one device-state flush of
 * `--patches` patches for as many distinct devices (the demo site plus synthetic manholes).
 * SQLite in a temp dir, or PostgreSQL with `--database-url`. Not part of `npm test`. Writes each
 * batch size twice: on the calling thread (Kysely) and through the store (on SQLite its writer
 * thread), with the event-loop delay meanwhile.
 *   npx tsx store/bench/write-readings.ts [--batch 5000] [--batches 10] [--patches 20000] [--database-url postgres://...]
 */
import { rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Reading } from '@gridhub/core';
import { createStore, DEMO_SITE_PATH, loadSiteFile } from '../src/index.ts';
import { writeReadings as writeOnThisThread } from '../src/readings.ts';

const { values } = parseArgs({ options: { batch: { type: 'string', default: '5000' }, batches: { type: 'string', default: '10' }, patches: { type: 'string', default: '20000' }, 'database-url': { type: 'string' } } });
const batchSize = Number(values.batch);
const batches = Number(values.batches);
const dir = mkdtempSync(join(tmpdir(), 'gridhub-store-bench-'));
const store = await createStore(values['database-url'] ? { databaseUrl: values['database-url'] } : { dataDir: dir });
const patchCount = Number(values.patches);
try {
  const site = await loadSiteFile(DEMO_SITE_PATH);
  const estate = site.communities[0]!.grids[0]!.estates[0]!;
  const hash = estate.devices[0]!.secret_hash!;
  const extra = Math.max(0, patchCount - estate.devices.length);
  for (let i = 0; i < extra; i++) {
    estate.devices.push({ id: `mh-bench-${i}`, kind: 'manhole', secret_hash: hash, position: { x: i % 100, y: (i * 7) % 100 } });
  }
  const s0 = performance.now();
  await store.importSite(site);
  const devices = await store.allDeviceInfo();
  process.stdout.write(`${store.dialect}: importSite of ${devices.length} devices (stored hashes) in ${(performance.now() - s0).toFixed(0)} ms\n`);
  const t0 = 1_700_000_000_000;
  let seq = 0;
  const makeBatch = (): Reading[] =>
    Array.from({ length: batchSize }, () => {
      const d = devices[seq % devices.length]!;
      const s = seq++;
      return {
        deviceId: d.id, kind: d.kind, message: 'telemetry', tsMs: t0 + s * 10, seq: s, rxMs: t0 + s * 10 + 3, place: d.place,
        fields: { battery_pct: 90 - (s % 50), temperature_c: 20 + (s % 7), value: s % 1000, status: 'normal' },
      };
    });
  // The event loop meanwhile: gaps between the ticks of a 1 ms timer (what the broker and the
  // rules engine would wait), with a turn of the loop between batches as the spool's drain has.
  const timed = async (write: (b: Reading[]) => Promise<void>) => {
    const gaps: number[] = [];
    let last = performance.now();
    const tick = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 1);
    let total = 0;
    for (let i = 0; i < batches; i++) {
      const batch = makeBatch();
      const start = performance.now();
      await write(batch);
      total += performance.now() - start;
      await new Promise((r) => setImmediate(r));
    }
    clearInterval(tick);
    gaps.sort((a, b) => a - b);
    return { ms: total, loopP99: gaps[Math.floor(gaps.length * 0.99)] ?? NaN, loopMax: gaps.at(-1) ?? NaN };
  };
  const here = await timed((b) => writeOnThisThread(store.db, b));
  const viaStore = await timed((b) => store.writeReadings(b));
  const ms = viaStore.ms;
  const n = batchSize * batches;
  const loop = (r: { ms: number; loopP99: number; loopMax: number }) => `${Math.round((n / r.ms) * 1000).toLocaleString('en')} readings/s, longest waits of a 1 ms timer: p99 ${r.loopP99.toFixed(1)} ms, max ${r.loopMax.toFixed(1)} ms`;
  process.stdout.write(`writes on the calling thread (Kysely): ${loop(here)}\n`);
  process.stdout.write(`store.writeReadings (${store.telemetryWriter ? 'SQLite: the writer thread' : 'the same'}): ${loop(viaStore)}\n`);
  const perSec = (x: number) => Math.round((x / ms) * 1000).toLocaleString('en');
  process.stdout.write(`writeReadings: ${n} readings (one row each) in ${ms.toFixed(0)} ms = ${perSec(n)} readings/s\n`);

  const again = makeBatch().map((r) => ({ ...r, seq: r.seq - batchSize }));
  const s2 = performance.now();
  await store.writeReadings(again.map((r) => ({ ...r, tsMs: t0 + r.seq * 10 })));
  process.stdout.write(`rewrite of ${batchSize} already stored readings: ${(performance.now() - s2).toFixed(0)} ms\n`);

  const patches = Array.from({ length: patchCount }, (_, i) => ({
    deviceId: devices[i % devices.length]!.id, lastSeenMs: t0 + i, batteryPct: 80, latest: { value: i, status: 'normal' }, latestTsMs: t0 + i,
  }));
  const s3 = performance.now();
  await store.upsertDeviceStates(patches);
  process.stdout.write(`upsertDeviceStates: ${patchCount} patches over ${devices.length} devices in ${(performance.now() - s3).toFixed(0)} ms\n`);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
