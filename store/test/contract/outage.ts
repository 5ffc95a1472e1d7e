import type { HubEvent } from '@gridhub/core';
import { describe, expect, it } from 'vitest';
import { isStoreUnavailable, readCursor, writeCursor, type SqlHubStore } from '../../src/index.ts';
import { reading, smallSite } from '../fixtures.ts';
import type { ContractContext } from './harness.ts';

const CURSOR = 'contract.unit';
const alarm = (deviceId: string, atMs: number): HubEvent => ({
  type: 'alert', ruleId: 'smoke.alarm', subjectKey: deviceId, deviceId, priority: 'P1', silenced: null,
  transition: { from: 'inactive', to: 'firing', atMs, reason: 'breach', value: null },
});

/**
 * One decision unit as the rules feed commits it: what a reading caused (here its event) and the
 * reader's cursor moved past it, in one transaction. Replaying it is a no-op once its position is
 * committed (the cursor is read in the same transaction). `during`: runs after the unit's writes,
 * before its commit (the store taken away there).
 */
async function decisionUnit(store: SqlHubStore, offset: number, during?: () => Promise<void>): Promise<'committed' | 'replayed'> {
  return store.eventLog.transaction(async (tx, record) => {
    const at = await readCursor<{ offset: number }>(tx, CURSOR);
    if (at && at.offset >= offset) return 'replayed';
    await writeCursor(tx, CURSOR, { offset }, 1000 + offset);
    record(alarm('smk-t1', 1000 + offset));
    await during?.();
    return 'committed';
  }, () => 5000 + offset);
}

/** The rejection of `p` (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.unreachable('resolved while the store was away'),
    (e: unknown) => e,
  );
}

/**
 * Outage and replay: a unit whose store goes away commits nothing and fails with an error the
 * hub answers as HUB_ERR_STORE_UNAVAILABLE (isStoreUnavailable: retried, 503 on the API); replayed
 * after the store returns it commits once, and a cursor reader of the event log gets its event once.
 */
export function outageContract(ctx: ContractContext): void {
  const outage = ctx.harness.outage;
  describe.skipIf(!outage)(`store outage and replay${outage ? ` (${outage.how})` : ''}`, () => {
    it(`a decision unit whose store goes away ${outage?.midTransaction ? 'mid-transaction' : 'as it starts'} commits nothing and fails as store-unavailable; replayed after it returns, it commits once`, async () => {
      const store = await ctx.open({ busyTimeoutMs: 300 });
      await store.importSite(smallSite());
      const o = outage!.of(store);
      const log = store.eventLog;
      let told = 0;
      const off = log.onAppend(() => told++);
      expect(await decisionUnit(store, 1)).toBe('committed');
      const from = await log.lastId();
      expect(told).toBe(1);

      // Away: mid-transaction (after the unit's writes) where the store can be taken away there, else just before it.
      let err: unknown;
      if (outage!.midTransaction) err = await rejection(decisionUnit(store, 2, () => o.halt()));
      else {
        await o.halt();
        err = await rejection(decisionUnit(store, 2));
      }
      expect(isStoreUnavailable(err), String(err)).toBe(true);
      // Other writes meanwhile fail the same way (the writers retry them): nothing half-written.
      expect(isStoreUnavailable(await rejection(store.upsertDeviceStates([{ deviceId: 'bin-t1', connected: true, lastSeenMs: 1 }])))).toBe(true);
      expect(told).toBe(1);
      await o.resume();

      // Nothing of it was committed: the cursor where it was, no event, nobody told.
      expect(await readCursor(store.db, CURSOR)).toEqual({ offset: 1 });
      expect(await log.readAfter(from, 10)).toEqual([]);
      // Replayed (the feed retries the same position), and replayed again: one commit, one event.
      expect(await decisionUnit(store, 2)).toBe('committed');
      expect(await decisionUnit(store, 2)).toBe('replayed');
      expect(await decisionUnit(store, 1)).toBe('replayed');
      const after = await log.readAfter(from, 10);
      expect(after.map((e) => e.event)).toEqual([alarm('smk-t1', 1002)]);
      expect(after[0]!.id).toBeGreaterThan(from);
      expect(told).toBe(2);
      // The writes refused meanwhile go through when offered again.
      await store.upsertDeviceStates([{ deviceId: 'bin-t1', connected: true, lastSeenMs: 1 }]);
      expect((await store.deviceState('bin-t1'))?.connected).toBe(true);
      off();
    });

    it('telemetry written across an outage is stored once: a write the store did not confirm is written again whole', async () => {
      const store = await ctx.open({ busyTimeoutMs: 300 });
      const o = outage!.of(store);
      const batch = Array.from({ length: 200 }, (_, i) => reading('bin-o', 1_000_000 + i * 1000, i, { distance_mm: i }));
      await store.writeReadings(batch.slice(0, 50));
      await o.halt();
      // Refused, or (SQLite: the writer thread waits for the lock) held until the store returns.
      const during = store.writeReadings(batch).then(() => 'stored', (e: unknown) => (isStoreUnavailable(e) || /writer/.test(String(e)) ? 'unavailable' : `other: ${String(e)}`));
      await new Promise((r) => setTimeout(r, 100));
      await o.resume();
      expect(['stored', 'unavailable']).toContain(await during);
      await store.writeReadings(batch); // the drain's retry
      expect(await store.countReadings({ deviceId: 'bin-o' })).toBe(200);
    });
  });
}
