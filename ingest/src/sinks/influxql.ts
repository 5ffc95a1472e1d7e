import { bucketPlan } from '@gridhub/core';
import { HubError } from '@gridhub/core';
import type { DeviceKind, FieldValue, MessageKind, Reading } from '@gridhub/core';
import type { HistoryQuery, HistoryResult, ReadingsQuery } from '@gridhub/store';

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

/** The measurements readings are written to (line-protocol.ts: the message kind). */
const MESSAGES: readonly MessageKind[] = ['telemetry', 'event', 'status'];
/** Tags of a point (line-protocol.ts) and the columns that are not the reading's fields. */
const TAGS = ['building', 'community', 'device', 'estate', 'grid', 'kind', 'street', 'unit'] as const;
const NOT_FIELDS = new Set<string>(['time', ...TAGS, 'seq', 'rx_ms']);

/** The InfluxQL of every point in [fromMs, toMs) of each message kind, oldest first, at most `limit` each. */
export function readingsInfluxQL(q: ReadingsQuery): string {
  if (!Number.isSafeInteger(q.fromMs) || !Number.isSafeInteger(q.toMs) || q.toMs < q.fromMs) throw new HubError('HUB_ERR_VALIDATION', ['need integer fromMs <= toMs']);
  const kinds = q.kinds?.length ? ` AND (${q.kinds.map((k) => `"kind" = ${influxString(k)}`).join(' OR ')})` : '';
  return MESSAGES.map((m) => `SELECT * FROM ${influxIdent(m)} WHERE time >= ${q.fromMs}ms AND time < ${q.toMs}ms${kinds} ORDER BY time ASC LIMIT ${q.limit}`).join('; ');
}

/** Reads the answer of `readingsInfluxQL` (epoch=ms) back into readings, oldest first, at most `limit`. */
export function parseReadingsResponse(q: ReadingsQuery, body: unknown): Reading[] {
  const results = (body as { results?: { error?: string; series?: { name: string; columns: string[]; values?: unknown[][] }[] }[] })?.results;
  if (!results) throw new Error('InfluxDB answered without results');
  const out: Reading[] = [];
  for (const result of results) {
    if (result.error) throw new Error(`InfluxDB query failed: ${result.error}`);
    for (const series of result.series ?? []) {
      const col = new Map(series.columns.map((c, i) => [c, i]));
      const at = (row: unknown[], c: string) => (col.has(c) ? row[col.get(c)!] : null);
      const text = (row: unknown[], c: string) => { const v = at(row, c); return typeof v === 'string' && v ? v : null; };
      for (const row of series.values ?? []) {
        const fields: Record<string, FieldValue> = {};
        for (const [c, i] of col) if (!NOT_FIELDS.has(c) && row[i] !== null && row[i] !== undefined) fields[c] = row[i] as FieldValue;
        const tsMs = Number(at(row, 'time'));
        out.push({
          deviceId: text(row, 'device') ?? '', kind: text(row, 'kind') as DeviceKind, message: series.name as MessageKind, tsMs, seq: Number(at(row, 'seq') ?? 0), rxMs: Number(at(row, 'rx_ms') ?? tsMs),
          place: { street: text(row, 'street') ?? '', community: text(row, 'community') ?? '', grid: text(row, 'grid') ?? '', estate: text(row, 'estate') ?? '', building: text(row, 'building'), unit: text(row, 'unit') },
          fields,
        });
      }
    }
  }
  // the same order as the embedded table: time, device, seq
  out.sort((a, b) => a.tsMs - b.tsMs || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0) || a.seq - b.seq);
  return out.slice(0, q.limit);
}
