import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHubError, type Reading } from '@gridhub/core';
import type { TelemetrySink } from '../src/index.ts';
import { smokeReading, T0 } from './fixtures/readings.ts';

export interface SinkHarness {
  sink: TelemetrySink;
  /** Stored readings of one device (and message kind), counted by the backend itself. */
  count(deviceId: string, message?: 'telemetry' | 'event' | 'status'): Promise<number>;
  close(): Promise<void>;
}

/** One suite every telemetry sink passes (aedes-persistence's abstract.js is the model). */
export function sinkContract(label: string, open: () => Promise<SinkHarness>): void {
  describe(`TelemetrySink contract: ${label}`, () => {
    let h: SinkHarness;
    beforeAll(async () => {
      h = await open();
    });
    afterAll(async () => {
      await h?.close();
    });

    it('answers ping', async () => {
      await expect(h.sink.ping()).resolves.toBeUndefined();
    });

    it('stores a batch once however often it is written', async () => {
      const devices = [100, 101, 102, 103, 104];
      const batch: Reading[] = [];
      for (let seq = 0; seq < 200; seq++) for (const d of devices) batch.push(smokeReading(d, seq));
      await h.sink.write(batch);
      await h.sink.write(batch.slice(0, 500));
      await h.sink.write(batch);
      for (const d of devices) expect(await h.count(smokeReading(d, 0).deviceId)).toBe(200);
    });

    it('keeps two readings of one device in the same millisecond apart', async () => {
      const a: Reading = { ...smokeReading(200, 1, T0), message: 'event', fields: { event: 'alarm', obscuration_pct: 12 } };
      const b: Reading = { ...a, seq: 2, fields: { event: 'silenced' } };
      await h.sink.write([a, b]);
      expect(await h.count(a.deviceId, 'event')).toBe(2);
    });

    it('downsamples history to at most maxPoints buckets of means, aligned on fromMs', async () => {
      const readings = Array.from({ length: 100 }, (_, i) => ({ ...smokeReading(300, i), fields: { temperature_c: i } }));
      await h.sink.write(readings);
      const deviceId = readings[0]!.deviceId;
      const r = await h.sink.query({ deviceId, field: 'temperature_c', fromMs: T0, toMs: T0 + 99_999, maxPoints: 10 });
      expect(r.intervalMs).toBe(10_000);
      expect(r.points.map((p) => p.tMs)).toEqual(Array.from({ length: 10 }, (_, i) => T0 + i * 10_000));
      expect(r.points.map((p) => p.value)).toEqual(Array.from({ length: 10 }, (_, i) => i * 10 + 4.5));

      for (const [fromMs, toMs, maxPoints] of [[T0 + 333, T0 + 150_000, 7], [T0 - 50_000, T0 + 20_500, 3], [T0 + 5_000, T0 + 5_000, 4]] as const) {
        const got = await h.sink.query({ deviceId, field: 'temperature_c', fromMs, toMs, maxPoints });
        expect(got.points.length).toBeLessThanOrEqual(maxPoints);
        const expected = got.points.map((p) => {
          const inBucket = readings.filter((x) => x.tsMs >= p.tMs && x.tsMs < p.tMs + got.intervalMs && x.tsMs <= toMs);
          return inBucket.length ? inBucket.reduce((n, x) => n + (x.fields.temperature_c as number), 0) / inBucket.length : null;
        });
        expect(got.points.map((p) => p.value)).toEqual(expected);
        expect(got.points[0]!.tMs).toBe(fromMs);
        expect(got.points.at(-1)!.tMs + got.intervalMs).toBeGreaterThan(toMs);
      }
    });

    it('returns null buckets where there is no data, and cannot be broken out of by quotes', async () => {
      const evil = await h.sink.query({ deviceId: "x' OR '1'='1", field: 'a"b\\', fromMs: T0, toMs: T0 + 9_999, maxPoints: 5 });
      expect(evil.points).toHaveLength(5);
      expect(evil.points.every((p) => p.value === null)).toBe(true);
    });

    it('refuses a malformed history query with HUB_ERR_VALIDATION', async () => {
      const err = await h.sink.query({ deviceId: 'd', field: 'f', fromMs: T0 + 1, toMs: T0, maxPoints: 5 }).catch((e: unknown) => e);
      expect(isHubError(err) && err.code).toBe('HUB_ERR_VALIDATION');
    });
  });
}
