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
  if (!Number.isSafeInteger(q.fromMs) || !Number.isSafeInteger(q.toMs) || q.toMs <= q.fromMs) throw bad('need integer fromMs < toMs');
  if (!Number.isInteger(q.maxPoints) || q.maxPoints < 1 || q.maxPoints > 10_000) throw bad('maxPoints must be 1..10000');
}

/**
 * The bucket width that gives at most `maxPoints` buckets over [fromMs, toMs): with buckets
 * aligned on fromMs (GROUP BY time(interval, offset)) there are ceil(span / interval) of them.
 */
export function historyIntervalMs(q: HistoryQuery): number {
  return Math.max(1, Math.ceil((q.toMs - q.fromMs) / q.maxPoints));
}

/** The InfluxQL of a downsampled history query (mean per bucket; empty buckets are null). */
export function historyInfluxQL(q: HistoryQuery, measurement = 'telemetry'): { text: string; intervalMs: number } {
  checkHistoryQuery(q);
  const intervalMs = historyIntervalMs(q);
  const offsetMs = q.fromMs % intervalMs;
  const text =
    `SELECT mean(${influxIdent(q.field)}) FROM ${influxIdent(measurement)}` +
    ` WHERE "device" = ${influxString(q.deviceId)} AND time >= ${q.fromMs}ms AND time < ${q.toMs}ms` +
    ` GROUP BY time(${intervalMs}ms, ${offsetMs}ms) fill(null)`;
  return { text, intervalMs };
}

/** Reads the JSON answer of /query (epoch=ms) for one SELECT into a HistoryResult. */
export function parseHistoryResponse(q: HistoryQuery, intervalMs: number, body: unknown): HistoryResult {
  const result = (body as { results?: { error?: string; series?: { values?: unknown[][] }[] }[] })?.results?.[0];
  if (!result) throw new Error('InfluxDB answered without results');
  if (result.error) throw new Error(`InfluxDB query failed: ${result.error}`);
  const values = result.series?.[0]?.values ?? [];
  const points = values
    .map(([t, v]) => ({ tMs: Number(t), value: typeof v === 'number' ? v : null }))
    .filter((p) => p.tMs >= q.fromMs && p.tMs < q.toMs);
  return { deviceId: q.deviceId, field: q.field, intervalMs, points };
}
