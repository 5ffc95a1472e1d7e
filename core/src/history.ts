/**
 * How a device's history between `fromMs` and `toMs` (both inclusive) is cut into at most
 * `maxPoints` equal buckets, aligned on `fromMs`. Pure; shared by every telemetry store so that
 * InfluxDB and the embedded store answer the same query with the same buckets.
 */
export function bucketPlan(q: { fromMs: number; toMs: number; maxPoints: number }): { fromMs: number; toMs: number; intervalMs: number; buckets: number } {
  const fromMs = Math.floor(q.fromMs);
  const toMs = Math.max(fromMs, Math.floor(q.toMs));
  const span = toMs - fromMs + 1;
  const intervalMs = Math.max(1, Math.ceil(span / Math.max(1, Math.floor(q.maxPoints))));
  return { fromMs, toMs, intervalMs, buckets: Math.ceil(span / intervalMs) };
}
