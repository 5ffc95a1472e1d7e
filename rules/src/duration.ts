/** Durations as people write them in YAML: `500ms`, `2s`, `10m`, `25h`, `7d`, or a number of ms. */
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export const DURATION_PATTERN = '^\\d+(\\.\\d+)?(ms|s|m|h|d)$';
const RE = new RegExp(DURATION_PATTERN);

export function parseDurationMs(value: string | number): number {
  if (typeof value === 'number') return value;
  const m = RE.exec(value);
  if (!m) throw new Error(`not a duration: ${value}`);
  const unit = m[2] as keyof typeof UNIT_MS;
  return Math.round(parseFloat(value) * UNIT_MS[unit]);
}

export const MINUTE_MS = UNIT_MS.m;
export const HOUR_MS = UNIT_MS.h;
export const DAY_MS = UNIT_MS.d;
