import { bucketPlan } from '@gridhub/core';
import { HubError } from '@gridhub/core';
import type { HistoryQuery, HistoryResult } from '@gridhub/store';

/** An InfluxQL identifier: double-quoted, with `\` and `"` escaped. */
export function influxIdent(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** An InfluxQL string literal: single-quoted, with `\` and `'` escaped. */
export function influxString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** Validates a history query (coded HUB_ERR_VALIDATION); shared by both sinks. */
export function checkHistoryQuery(q: HistoryQuery): void {
  const bad = (what: string) => new HubError('HUB_ERR_VALIDATION', [what]);
  if (!q.deviceId || !q.field) throw bad('deviceId and field are required');
  if (!Number.isSafeInteger(q.fromMs) || !Number.isSafeInteger(q.toMs) || q.toMs < q.fromMs) throw bad('need integer fromMs <= toMs');
  if (!Number.isInteger(q.maxPoints) || q.maxPoints < 1 || q.maxPoints > 10_000) throw bad('maxPoints must be 1..10000');
}


/**
 * The InfluxQL of a downsampled history query: mean per bucket, buckets aligned on fromMs by the
 * GROUP BY offset. A point's time carries seq in its sub-millisecond digits, hence `< toMs + 1ms`.
 */
export function historyInfluxQL(q: HistoryQuery, measurement = 'telemetry'): { text: string; intervalMs: number } {
  checkHistoryQuery(q);
  const { intervalMs } = bucketPlan(q);
  const offsetMs = q.fromMs % intervalMs;
  const text =
    `SELECT mean(${influxIdent(q.field)}) FROM ${influxIdent(measurement)}` +
    ` WHERE "device" = ${influxString(q.deviceId)} AND time >= ${q.fromMs}ms AND time < ${q.toMs + 1}ms` +
    ` GROUP BY time(${intervalMs}ms, ${offsetMs}ms)`;
  return { text, intervalMs };
}

/** Reads the JSON answer of /query (epoch=ms) into every bucket of the range (null where empty). */
export function parseHistoryResponse(q: HistoryQuery, body: unknown): HistoryResult {
  const result = (body as { results?: { error?: string; series?: { values?: unknown[][] }[] }[] })?.results?.[0];
  if (!result) throw new Error('InfluxDB answered without results');
  if (result.error) throw new Error(`InfluxDB query failed: ${result.error}`);
  const { intervalMs, buckets } = bucketPlan(q);
  const means = new Map<number, number>();
  for (const [t, v] of result.series?.[0]?.values ?? []) if (typeof v === 'number') means.set(Number(t), v);
  const points = Array.from({ length: buckets }, (_, i) => {
    const tMs = q.fromMs + i * intervalMs;
    return { tMs, value: means.get(tMs) ?? null };
  });
  return { deviceId: q.deviceId, field: q.field, intervalMs, points };
}
