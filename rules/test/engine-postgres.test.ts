import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubEvent, Reading } from '@gridhub/core';
import { createStore, isStoreUnavailable, readCursor, type SqlHubStore } from '@gridhub/store';
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

  it('PostgreSQL stopped mid-decision: nothing of it is kept, the error is store-unavailable; the same alarm replayed after it returns makes one ticket, one occurrence, one event each', async () => {
    let haltNext = true;
    // The server stopped inside the decision's transaction, after its ticket and alert state are written, before its events and commit.
    const halting = {
      async append(tx: Parameters<typeof store.eventLog.append>[0], events: readonly HubEvent[], atMs: number) {
        if (haltNext && events.some((e) => e.type === 'occurrence')) {
          haltNext = false;
          await pg.halt();
        }
        await store.eventLog.append(tx, events, atMs);
      },
      committed: () => store.eventLog.committed(),
    };
    const engine = await createRulesEngine({ db: store.db as never, rules: buildRuleSet({ version: 1 }), clock: () => T0 + 60_000, eventLog: halting, wardens: async () => [] });
    const before = await store.eventLog.lastId();
    const alarm: Reading = { deviceId: 'smk-pg', kind: 'smoke', message: 'event', tsMs: T0 + 50_000, seq: 7, rxMs: T0 + 50_000, place, fields: { event: 'alarm', obscuration_pct: 12 } };
    const err = await engine.ingest([alarm], { name: 'pg.outage', position: 1 }).then(() => null, (e: unknown) => e);
    expect(isStoreUnavailable(err), String(err)).toBe(true);
    await pg.resume();
    expect(await engine.tickets.findOpen('smoke.alarm', 'smk-pg')).toBeUndefined();
    expect((await engine.tickets.loadAlerts()).some((a) => a.subjectKey === 'smk-pg')).toBe(false);
    expect(await store.eventLog.lastId()).toBe(before);
    expect(await readCursor(store.db, 'pg.outage')).toBeNull();
    // The feed retries the same position; a crash after the commit would replay it once more.
    await engine.ingest([alarm], { name: 'pg.outage', position: 1 });
    await engine.ingest([alarm], { name: 'pg.outage', position: 1 });
    const tickets = await engine.tickets.list({ ruleId: 'smoke.alarm' });
    expect(tickets.filter((t) => t.deviceId === 'smk-pg').map((t) => t.occurrences)).toEqual([1]);
    const events = (await store.eventLog.readAfter(before, 100)).map((e) => e.event.type);
    expect(events.filter((t) => t === 'occurrence')).toHaveLength(1);
    expect(events.filter((t) => t === 'alert')).toHaveLength(1);
    expect(await readCursor(store.db, 'pg.outage')).toBe(1);
  });
});
