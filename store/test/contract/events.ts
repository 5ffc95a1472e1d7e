import type { HubEvent } from '@gridhub/core';
import { describe, expect, it } from 'vitest';
import { readCursor, writeCursor } from '../../src/index.ts';
import { smallSite } from '../fixtures.ts';
import type { ContractContext } from './harness.ts';

/** The event log (outbox): appended in the writer's transaction, ids in commit order, retention, device events, cursors. */
export function eventLogContract(ctx: ContractContext): void {
  const { fresh } = ctx;

describe('event log (outbox)', () => {
  const alertEvent = (deviceId: string, atMs: number): HubEvent => ({
    type: 'alert', ruleId: 'smoke.alarm', subjectKey: deviceId, deviceId, priority: 'P1', silenced: null,
    transition: { from: 'inactive', to: 'firing', atMs, reason: 'breach', value: null },
  });

  it('appends in the writer\'s transaction: a rollback leaves no event and tells nobody; a commit is read back in order by cursor', async () => {
    const store = await fresh();
    const log = store.eventLog;
    let told = 0;
    const off = log.onAppend(() => told++);
    expect([await log.firstId(), await log.lastId()]).toEqual([0, 0]);
    await expect(
      log.transaction(async (_tx, record) => {
        record(alertEvent('d0', 1));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await log.readAfter(0, 10)).toEqual([]);
    expect(told).toBe(0);
    await log.transaction(async (_tx, record) => {
      record(alertEvent('d1', 1));
      record(alertEvent('d2', 2));
    }, () => 5000);
    expect(told).toBe(1);
    const all = await log.readAfter(0, 10);
    expect(all.map((e) => [(e.event as { deviceId: string }).deviceId, e.atMs])).toEqual([['d1', 5000], ['d2', 5000]]);
    expect(all[1]!.id).toBeGreaterThan(all[0]!.id);
    expect(await log.readAfter(all[0]!.id, 10)).toEqual([all[1]]);
    expect(await log.readAfter(all[0]!.id - 1, 1)).toEqual([all[0]]);
    expect([await log.firstId(), await log.lastId()]).toEqual([all[0]!.id, all[1]!.id]);
    off();
  });

  it('ids commit in order under concurrent writers (a cursor reader misses none); retention drops old events but never the newest', async () => {
    const store = await fresh();
    const log = store.eventLog;
    // Each writer takes its id, then dawdles before committing: were ids not committed in
    // order, the reader below would move past an id that commits later, and miss it.
    const seen: number[] = [];
    let done = false;
    const reader = (async () => {
      let pos = 0;
      while (!done || pos < (await log.lastId())) {
        for (const e of await log.readAfter(pos, 100)) {
          seen.push(e.id);
          pos = e.id;
        }
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.db.transaction().execute(async (tx) => {
          await log.append(tx, [alertEvent(`c${i}`, i)], 1000 + i);
          await new Promise((r) => setTimeout(r, (i * 7) % 20));
        }),
      ),
    );
    done = true;
    await reader;
    const all = await log.readAfter(0, 100);
    expect(all).toHaveLength(20);
    expect(seen).toEqual(all.map((e) => e.id));
    const last = await log.lastId();
    expect(await log.prune(10_000)).toBe(19);
    expect(await log.firstId()).toBe(last);
    expect(await log.lastId()).toBe(last);
    await log.transaction(async (_tx, record) => record(alertEvent('after', 1)));
    expect(await log.lastId()).toBeGreaterThan(last);
  });

  it('a device going online or offline is a device-state event, written with the state; no change, no event', async () => {
    const store = await fresh();
    await store.importSite(smallSite());
    const from = await store.eventLog.lastId();
    await store.upsertDeviceStates([{ deviceId: 'bin-t1', connected: true, lastSeenMs: 1000 }]);
    await store.upsertDeviceStates([{ deviceId: 'bin-t1', connected: true, lastSeenMs: 2000 }]);
    await store.upsertDeviceStates([{ deviceId: 'bin-t1', connected: false }, { deviceId: 'not-a-device', connected: true }]);
    const events = (await store.eventLog.readAfter(from, 10)).map((e) => e.event);
    expect(events).toEqual([
      { type: 'device', deviceId: 'bin-t1', gridId: expect.any(String), connected: true, atMs: 1000 },
      { type: 'device', deviceId: 'bin-t1', gridId: expect.any(String), connected: false, atMs: expect.any(Number) },
    ]);
  });

  it('a cursor is stored and moved with its owner\'s writes', async () => {
    const store = await fresh();
    expect(await readCursor(store.db, 'rules')).toBeNull();
    await writeCursor(store.db, 'rules', { segment: 1, offset: 40 }, 1);
    await writeCursor(store.db, 'rules', { segment: 2, offset: 0 }, 2);
    expect(await readCursor(store.db, 'rules')).toEqual({ segment: 2, offset: 0 });
  });
});
}
