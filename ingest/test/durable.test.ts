import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '@gridhub/testkit';
import type { Reading } from '@gridhub/core';
import { createStore, type SqlHubStore } from '@gridhub/store';
import { createIngest, type SpoolLogger, type TelemetrySink } from '../src/index.ts';
import { ingestSite } from './fixtures/site.ts';

const quiet: SpoolLogger = { warn: () => {}, error: () => {} };
const TS = Date.UTC(2025, 6, 1, 8);

/** A real sink that stores in memory, but only while `open` is true (else it fails, like InfluxDB down). */
function gatedSink(): TelemetrySink & { open: boolean; stored: Reading[] } {
  const sink = {
    name: 'embedded' as const,
    open: false,
    stored: [] as Reading[],
    async write(readings: Reading[]) {
      if (!sink.open) throw new Error('telemetry store down');
      sink.stored.push(...readings);
    },
    async query(): Promise<never> {
      throw new Error('not used');
    },
    async readings(): Promise<never> {
      throw new Error('not used');
    },
    async ping() {},
    async close() {},
  };
  return sink;
}

const alarm = (seq: number) => ({
  topic: 'v1/smoke/smoke-1/event',
  payload: Buffer.from(JSON.stringify({ ts: TS + seq, seq, event: 'alarm' })),
  qos: 1 as const,
  clientId: 'smoke-1',
  rxMs: Date.now(),
});

describe('onDurable: readings for the rules engine as soon as they are on disk', () => {
  let dir: string;
  let store: SqlHubStore;
  beforeAll(async () => {
    dir = tempDir('durable');
    store = await createStore({ dataDir: dir });
    await store.importSite(ingestSite());
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands readings over before the telemetry store has them, one batch per group commit', async () => {
    const sink = gatedSink();
    const ingest = createIngest({ store, sink, spool: { dir: join(dir, 'spool-a'), budgetBytes: 16 << 20 }, minBackoffMs: 10, maxBackoffMs: 20, logger: quiet });
    await ingest.start();
    const durable: Reading[][] = [];
    const confirmed: Reading[] = [];
    ingest.onDurable((r) => durable.push(r));
    ingest.onReadings((r) => confirmed.push(...r));
    await Promise.all(Array.from({ length: 50 }, (_, i) => ingest.handle(alarm(i + 1))));
    await waitFor(() => durable.flat().length === 50, 5_000, 'durable readings');
    expect(durable.length).toBeLessThan(50); // batched by group commit, not one call per reading
    expect(sink.stored).toHaveLength(0); // the store is down: nothing confirmed yet
    expect(confirmed).toHaveLength(0);
    sink.open = true;
    await waitFor(() => confirmed.length === 50, 5_000, 'confirmed readings');
    expect(durable.flat()).toHaveLength(50); // no second hand-over on confirmation
    await ingest.stop();
  });

  it('after a restart, hands over what a previous run spooled but never confirmed, once', async () => {
    const spool = { dir: join(dir, 'spool-b'), budgetBytes: 16 << 20 };
    const down = gatedSink();
    const first = createIngest({ store, sink: down, spool, minBackoffMs: 10, maxBackoffMs: 20, logger: quiet });
    await first.start();
    await Promise.all(Array.from({ length: 20 }, (_, i) => first.handle(alarm(100 + i))));
    await first.stop(); // as good as a crash for this purpose: spooled, never confirmed, never evaluated here

    const up = gatedSink();
    up.open = true;
    const second = createIngest({ store, sink: up, spool, logger: quiet });
    const durable: Reading[] = [];
    second.onDurable((r) => durable.push(...r));
    await second.start();
    await second.handle(alarm(500));
    await waitFor(() => up.stored.length === 21, 5_000, 'replayed and new readings stored');
    await waitFor(() => durable.length === 21, 5_000, 'replayed readings handed over');
    expect(durable.map((r) => r.seq).sort((a, b) => a - b)).toEqual([...Array.from({ length: 20 }, (_, i) => 100 + i), 500]);
    await second.stop();
  });
});
