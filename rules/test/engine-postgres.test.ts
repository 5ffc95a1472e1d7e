import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reading } from '@gridhub/core';
import { createStore, type SqlHubStore } from '@gridhub/store';
import { serverAvailable, startPostgres, type Postgres } from '@gridhub/testkit';
import { buildRuleSet } from '../src/config/ruleset.ts';
import { createRulesEngine } from '../src/engine.ts';

const T0 = Date.parse('2025-03-03T10:00:00+08:00');
const place = { street: 'st1', community: 'cm1', grid: 'ga', estate: 'hy', building: 'b01', unit: 'u1' };
const bin = (seq: number, fill: number): Reading => ({
  deviceId: 'bin-1', kind: 'bin', message: 'telemetry', tsMs: T0 + seq * 1000, seq, rxMs: T0 + seq * 1000, place, fields: { fill_pct: fill, temperature_c: 20, tilted: false, battery_pct: 80 },
});

describe.skipIf(!serverAvailable('postgres'))('rules engine on a real PostgreSQL', () => {
  let pg: Postgres;
  let store: SqlHubStore;
  beforeAll(async () => {
    pg = await startPostgres();
    store = await createStore({ databaseUrl: pg.url });
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await pg?.stop();
  });

  it('takes a batch holding several readings of one device (one alert row per upsert) and opens one ticket', async () => {
    const engine = await createRulesEngine({ db: store.db as never, rules: buildRuleSet({ version: 1 }), clock: () => T0 + 10_000, eventLog: store.eventLog, wardens: async () => [] });
    await engine.ingest([bin(1, 50), bin(2, 97), bin(3, 98)]);
    const tickets = await engine.tickets.list({ ruleId: 'bin.full' });
    expect(tickets).toHaveLength(1);
    expect((await engine.tickets.loadAlerts()).find((a) => a.ruleId === 'bin.full')?.alert.state).toBe('firing');
  });
});
