import { sql } from 'kysely';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '@gridhub/testkit';
import { createStore } from '@gridhub/store';
import { createEmbeddedSink, createIngest } from '../src/index.ts';
import { ingestSite } from './fixtures/site.ts';
import { sinkContract } from './sink-contract.ts';
import { smokeReading, T0 } from './fixtures/readings.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function openEmbedded(retentionMs = 100 * 365 * 86_400_000, now?: () => number) {
  const dir = tempDir('embedded-sink');
  dirs.push(dir);
  const store = await createStore({ dataDir: dir });
  const sink = createEmbeddedSink(store, { retentionMs, pruneIntervalMs: 0, ...(now ? { now } : {}) });
  return { store, sink };
}

sinkContract('embedded (SQLite)', async () => {
  const { store, sink } = await openEmbedded();
  return {
    sink,
    count: (deviceId, message) => store.countReadings({ deviceId, ...(message ? { message } : {}) }),
    close: async () => {
      await sink.close();
      await store.close();
    },
  };
});

describe('embedded sink retention', () => {
  it('prunes readings older than the retention', async () => {
    const { store, sink } = await openEmbedded(60_000, () => T0 + 100_000);
    await sink.write(Array.from({ length: 100 }, (_, i) => smokeReading(1, i)));
    expect(await sink.prune()).toBe(40);
    expect(await store.countReadings({})).toBe(60);
    await sink.close();
    await store.close();
  });
});

describe('embedded telemetry writer thread (SQLite)', () => {
  it('a writer that dies mid-stream is a failed write: retried, nothing lost, nothing doubled', async () => {
    const dir = tempDir('embedded-writer');
    dirs.push(dir);
    const store = await createStore({ dataDir: join(dir, 'db') });
    const writer = store.telemetryWriter!;
    const sink = createEmbeddedSink(store, { retentionMs: 100 * 365 * 86_400_000, pruneIntervalMs: 0 });
    const ingest = createIngest({ store, sink, spool: { dir: join(dir, 'spool'), budgetBytes: 64 << 20 }, batchSize: 500, minBackoffMs: 5, maxBackoffMs: 20, logger: { warn: () => {}, error: () => {} } });
    await ingest.start();
    await store.importSite(ingestSite());
    await ingest.reloadDevices();
    const N = 6000;
    const sent = Promise.all(
      Array.from({ length: N }, (_, i) =>
        ingest.handle({ topic: 'v1/bin/bin-1/telemetry', payload: Buffer.from(JSON.stringify({ ts: T0 + i, seq: i, distance_mm: i % 900 })), qos: 1, clientId: 'bin-1', rxMs: Date.now() }),
      ),
    );
    // The worker killed three times while batches are in flight (the first kill before anything is confirmed).
    for (let k = 0; k < 3; k++) {
      await waitFor(() => writer.started > k, 10_000, `writer ${k + 1} started`);
      await writer.terminate();
    }
    await sent;
    await waitFor(() => (ingest.stats().drain?.written ?? 0) >= N, 30_000, 'every reading confirmed');
    expect(ingest.stats().drain!.failures).toBeGreaterThan(0);
    expect(writer.started).toBeGreaterThanOrEqual(4);
    expect(await store.countReadings({ deviceId: 'bin-1' })).toBe(N);
    const derived = await sql<{ n: number }>`select count(*) as n from readings where device_id = 'bin-1' and json_type(fields, '$.fill_pct') in ('integer', 'real')`.execute(store.telemetryDb);
    expect(Number(derived.rows[0]!.n)).toBe(N); // each with the fill_pct ingest derives from distance_mm
    await ingest.stop();
    await sink.close();
    await store.close();
  });

  it('a write of more readings than one hand-over part is one transaction: all stored, or (writer gone between parts) none', async () => {
    const dir = tempDir('embedded-writer-parts');
    dirs.push(dir);
    const store = await createStore({ dataDir: dir });
    const writer = store.telemetryWriter!;
    const batch = Array.from({ length: 2500 }, (_, i) => smokeReading(7, i)); // three parts of at most 1,000
    const cut = writer.write(batch);
    await writer.terminate(); // after the first part went over, before the rest
    await expect(cut).rejects.toThrow(/stopped/);
    expect(await store.countReadings({ deviceId: 'smoke-0007' })).toBe(0);
    await writer.write(batch);
    await writer.write(batch); // again: stored once
    expect(await store.countReadings({ deviceId: 'smoke-0007' })).toBe(2500);
    await store.close();
  });
});
