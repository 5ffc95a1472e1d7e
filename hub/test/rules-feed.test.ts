import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { Reading } from '@gridhub/core';
import { Spool, type Ingest } from '@gridhub/ingest';
import type { RulesEngine } from '@gridhub/rules';
import { createStore, readCursor, writeCursor } from '@gridhub/store';
import { tempDir, waitFor } from '@gridhub/testkit';
import { RULES_CURSOR, RULES_SPOOL_READER, startRulesFeed } from '../src/rules-feed.ts';

const place = { street: 's', community: 'c', grid: 'g', estate: 'e', building: 'b', unit: 'u' };
const reading = (deviceId: string, seq: number): Reading => ({ deviceId, kind: 'smoke', message: 'event', tsMs: 1000 + seq, seq, rxMs: 1000 + seq, place, fields: { event: 'alarm' } });

describe('the rules feed: the spool by position, the cursor with the effects', () => {
  const dir = tempDir('rules-feed');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a store outage is retried until it commits; a reading the engine cannot evaluate is skipped alone, the rest committed in order', async () => {
    const store = await createStore({ dataDir: join(dir, 'db') });
    const spool = await Spool.open<Reading>({ dir: join(dir, 'spool'), budgetBytes: 1 << 24, readers: [RULES_SPOOL_READER] });
    const ingest = { openReader: (name: string, from: never) => spool.reader(name, from) } as unknown as Ingest;
    const committed: string[] = [];
    let storeDown = 3;
    const engine = {
      async ingest(readings: readonly Reading[], cursor?: { name: string; position: unknown }) {
        if (storeDown-- > 0) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
        if (readings.some((r) => r.deviceId === 'poison')) throw new Error('cannot evaluate');
        committed.push(...readings.map((r) => `${r.deviceId}#${r.seq}`));
        if (cursor) await writeCursor(store.db, cursor.name, cursor.position, 0);
      },
    } as unknown as RulesEngine;
    for (let i = 1; i <= 10; i++) await spool.append(reading(i === 5 ? 'poison' : 'smk', i));
    const feed = await startRulesFeed({ store, ingest, engine, log: pino({ level: 'silent' }), maxBackoffMs: 20 });
    await waitFor(() => feed.status().backlog === 0, 10_000, 'backlog worked off');
    expect(committed).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 10].map((i) => `smk#${i}`));
    expect(feed.status()).toMatchObject({ evaluated: 9, skipped: 1, consecutiveFailures: 0 });
    expect(await readCursor(store.db, RULES_CURSOR)).not.toBeNull();
    await feed.stop();
    await spool.close();
    await store.close();
  });
});
