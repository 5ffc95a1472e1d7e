import { describe, expect, it } from 'vitest';
import { smallSite } from '../fixtures.ts';
import { type ContractContext, refusal } from './harness.ts';

/** Refusals: the latest N per device, counts by reason whole. */
export function refusalsContract(ctx: ContractContext): void {
  const { fresh } = ctx;

describe('refusals', () => {
  it('keeps the latest N rows per device, with the counts by reason whole', async () => {
    const store = await ctx.open({ refusalsKeep: 3 });
    await store.importSite(smallSite());
    for (let i = 0; i < 10; i++) await store.recordRefusals([refusal('bin-t1', 100 + i, i % 2 ? 'HUB_ERR_PAYLOAD_SCHEMA' : 'HUB_ERR_PAYLOAD_JSON'), refusal('mh-t1', 100 + i)]);
    await store.recordRefusals(Array.from({ length: 5 }, (_, i) => refusal(null, 300 + i, 'HUB_ERR_TOPIC')));
    expect((await store.listRefusals({ deviceId: 'bin-t1', limit: 100 })).map((r) => r.rxMs)).toEqual([109, 108, 107]);
    expect((await store.listRefusals({ deviceId: 'mh-t1', limit: 100 })).map((r) => r.rxMs)).toEqual([109, 108, 107]);
    expect((await store.listRefusals({ code: 'HUB_ERR_TOPIC', limit: 100 })).length).toBe(3);
    expect(await store.countRefusals({ deviceId: 'bin-t1' })).toBe(10);
    expect(await store.countRefusals({ deviceId: 'bin-t1', code: 'HUB_ERR_PAYLOAD_SCHEMA' })).toBe(5);
    expect(await store.countRefusals({ code: 'HUB_ERR_PAYLOAD_JSON' })).toBe(15);
    expect(await store.countRefusals({})).toBe(25);
    expect((await store.deviceState('bin-t1'))?.refusedCount).toBe(10);
  });

  it('records refusals, counts them per known device, filters and pages', async () => {
    const store = await fresh();
    await store.importSite(smallSite());
    await store.upsertDeviceStates([{ deviceId: 'bin-t1', batteryPct: 50 }]);
    await store.recordRefusals([refusal('bin-t1', 10), refusal('bin-t1', 20, 'HUB_ERR_PAYLOAD_SCHEMA'), refusal('ghost', 30, 'HUB_ERR_UNKNOWN_DEVICE'), refusal(null, 40, 'HUB_ERR_TOPIC'), refusal('mh-t1', 50)]);
    await store.recordRefusals([refusal('bin-t1', 60)]);
    expect(await store.countRefusals({})).toBe(6);
    expect(await store.countRefusals({ deviceId: 'bin-t1' })).toBe(3);
    expect(await store.countRefusals({ code: 'HUB_ERR_PAYLOAD_JSON' })).toBe(3);
    expect((await store.deviceState('bin-t1'))).toMatchObject({ refusedCount: 3, batteryPct: 50 });
    expect((await store.deviceState('mh-t1'))?.refusedCount).toBe(1);
    expect(await store.deviceState('ghost')).toBeUndefined();
    const ghost = await store.listRefusals({ deviceId: 'ghost', limit: 10 });
    expect(ghost).toEqual([refusal('ghost', 30, 'HUB_ERR_UNKNOWN_DEVICE')]);
    const recent = await store.listRefusals({ limit: 2 });
    expect(recent.map((r) => r.rxMs)).toEqual([60, 50]);
    expect((await store.listRefusals({ limit: 10, beforeMs: 50 })).map((r) => r.rxMs)).toEqual([40, 30, 20, 10]);
  });
});
}
