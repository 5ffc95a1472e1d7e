import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@gridhub/testkit';
import { createStore } from '@gridhub/store';
import { createEmbeddedSink } from '../src/index.ts';
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
