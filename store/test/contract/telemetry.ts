import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { reading } from '../fixtures.ts';
import { type ContractContext } from './harness.ts';

/** Embedded telemetry: idempotent writes, downsampled history, retention by arrival time. */
export function telemetryContract(ctx: ContractContext): void {
  const { fresh } = ctx;

describe('embedded telemetry', () => {
  it('stores a reading written twice once', async () => {
    const store = await fresh();
    const batch = Array.from({ length: 50 }, (_, i) => reading('bin-a', 1_000_000 + i * 1000, i, { distance_mm: 400 + i, tilted: false, status: 'ok' }));
    await store.writeReadings(batch);
    await store.writeReadings(batch);
    await store.writeReadings([...batch.slice(40), reading('bin-a', 2_000_000, 50, { distance_mm: 1 })]);
    expect(await store.countReadings({})).toBe(51);
    expect(await store.countReadings({ deviceId: 'bin-a', message: 'telemetry' })).toBe(51);
    expect(await store.countReadings({ deviceId: 'other' })).toBe(0);
    // distance_mm 400..449 (each once, though written twice) and 1; the boolean counts as 0/1, the string not at all.
    const all = { deviceId: 'bin-a', fromMs: 0, toMs: 3_000_000, maxPoints: 1 };
    expect((await store.queryReadings({ ...all, field: 'distance_mm' })).points[0]!.value).toBeCloseTo((50 * 424.5 + 1) / 51, 9);
    expect((await store.queryReadings({ ...all, field: 'tilted' })).points[0]!.value).toBe(0);
    expect((await store.queryReadings({ ...all, field: 'status' })).points[0]!.value).toBeNull();
    expect((await store.queryReadings({ ...all, field: 'x" or 1=1 --' })).points[0]!.value).toBeNull();
    // Same ts, different seq: two readings.
    await store.writeReadings([reading('bin-a', 2_000_000, 51, { distance_mm: 2 })]);
    expect(await store.countReadings({ deviceId: 'bin-a' })).toBe(52);
  });

  it('downsamples one field to at most maxPoints buckets with correct means', async () => {
    const store = await fresh();
    const from = 1_700_000_000_000;
    const values = Array.from({ length: 1000 }, (_, i) => ((i * 37) % 101) + i / 7);
    const batch = values.map((v, i) => reading('mh-a', from + i * 60_000, i, { tilt_deg: v, water_level_mm: 3 }));
    batch.push(reading('mh-b', from, 0, { tilt_deg: 1e6 }));
    await store.writeReadings(batch);
    const to = from + 999 * 60_000;
    for (const maxPoints of [1, 7, 100, 5000]) {
      const res = await store.queryReadings({ deviceId: 'mh-a', field: 'tilt_deg', fromMs: from, toMs: to, maxPoints });
      expect(res.points.length).toBeLessThanOrEqual(maxPoints);
      expect(res.points.length).toBe(Math.min(maxPoints, 1000 * 60_000 > 0 ? Math.ceil((to - from + 1) / res.intervalMs) : 0));
      for (const p of res.points) {
        const inBucket = values.filter((_, i) => {
          const t = from + i * 60_000;
          return t >= p.tMs && t < p.tMs + res.intervalMs;
        });
        if (inBucket.length === 0) expect(p.value).toBeNull();
        else expect(p.value).toBeCloseTo(inBucket.reduce((a, b) => a + b, 0) / inBucket.length, 6);
      }
    }
    // A sub-range with gaps: empty buckets are null; other devices and fields do not leak in.
    const part = await store.queryReadings({ deviceId: 'mh-a', field: 'tilt_deg', fromMs: from - 600_000, toMs: from + 599_999, maxPoints: 20 });
    expect(part.intervalMs).toBe(60_000);
    expect(part.points.slice(0, 10).every((p) => p.value === null)).toBe(true);
    expect(part.points[10]).toEqual({ tMs: from, value: values[0] });
    expect((await store.queryReadings({ deviceId: 'mh-a', field: 'nope', fromMs: from, toMs: to, maxPoints: 3 })).points.every((p) => p.value === null)).toBe(true);
  });

  it('prunes readings older than a cutoff', async () => {
    const store = await fresh();
    const batch = Array.from({ length: 100 }, (_, i) => reading('bin-p', 10_000 + i * 1000, i, { distance_mm: i }));
    await store.writeReadings(batch);
    expect(await store.pruneReadings(40_000)).toBe(30);
    expect(await store.countReadings({})).toBe(70);
    const res = await store.queryReadings({ deviceId: 'bin-p', field: 'distance_mm', fromMs: 0, toMs: 200_000, maxPoints: 1 });
    expect(res.points[0]!.value).toBeCloseTo((30 + 99) / 2, 9);
    expect(await store.pruneReadings(40_000)).toBe(0);
    const left = await sql<{ n: number }>`select count(*) as n from readings where ts_ms < 40000`.execute(store.telemetryDb);
    expect(Number(left.rows[0]!.n)).toBe(0);
  });

  it('ages readings by arrival, not by the device clock: one stamped 2001 that arrived now is kept', async () => {
    const store = await fresh();
    const now = Date.parse('2026-03-03T10:00:00Z');
    const old = { ...reading('bin-q', Date.parse('2001-01-01T00:00:00Z'), 1, { distance_mm: 1 }), rxMs: now };
    const stale = { ...reading('bin-q', now - 40 * 86_400_000, 2, { distance_mm: 2 }), rxMs: now - 40 * 86_400_000 };
    await store.writeReadings([old, stale]);
    expect(await store.pruneReadings(now - 30 * 86_400_000)).toBe(1);
    expect(await store.countReadings({ deviceId: 'bin-q' })).toBe(1);
    const values = await sql<{ seq: number }>`select seq from readings where device_id = 'bin-q'`.execute(store.telemetryDb);
    expect(values.rows.map((r) => Number(r.seq))).toEqual([1]);
  });
});
}
