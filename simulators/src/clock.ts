/**
 * Simulated time. Device `ts` comes from here, so a run at x60 shows a day in 24 minutes.
 * Pure conversion functions plus a tiny stateful wrapper reading the real clock at the edge.
 */
export interface Clock {
  /** Simulated epoch ms now. */
  now(): number;
  /** Simulated ms per real ms. */
  readonly speed: number;
}

export interface SimClockOptions {
  /** Simulated epoch ms at the start (default: the real now). */
  startMs?: number;
  /** Simulated ms per real ms (default 1; 60 for demos). */
  speed?: number;
  /** Real clock, for tests (default Date.now). */
  realNow?: () => number;
}

export function simToRealMs(simDeltaMs: number, speed: number): number {
  return simDeltaMs / speed;
}

export function createSimClock(options: SimClockOptions = {}): Clock & { readonly startMs: number } {
  const realNow = options.realNow ?? Date.now;
  const realStart = realNow();
  const startMs = options.startMs ?? realStart;
  const speed = options.speed ?? 1;
  if (!(speed > 0)) throw new RangeError(`speed must be > 0, got ${speed}`);
  return {
    startMs,
    speed,
    now: () => Math.round(startMs + (realNow() - realStart) * speed),
  };
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Sites are in China: local time is UTC+8 (no daylight saving). */
export const DEFAULT_TZ_OFFSET_MIN = 480;

/** Local hour of day as a fraction, 0 <= h < 24. */
export function hourOfDay(ms: number, tzOffsetMin = DEFAULT_TZ_OFFSET_MIN): number {
  const local = ms + tzOffsetMin * MINUTE_MS;
  return (((local % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
}

/** Local day number since the epoch (changes at local midnight). */
export function dayIndex(ms: number, tzOffsetMin = DEFAULT_TZ_OFFSET_MIN): number {
  return Math.floor((ms + tzOffsetMin * MINUTE_MS) / DAY_MS);
}

/** Epoch ms of local `hour` on local day `day`. */
export function atLocalHour(day: number, hour: number, tzOffsetMin = DEFAULT_TZ_OFFSET_MIN): number {
  return day * DAY_MS + hour * HOUR_MS - tzOffsetMin * MINUTE_MS;
}

/** A smooth bump centred on `centreH` (local hours, wraps at midnight), width `sdH` hours. */
export function bump(hour: number, centreH: number, sdH: number): number {
  let d = Math.abs(hour - centreH);
  if (d > 12) d = 24 - d;
  return Math.exp(-(d * d) / (2 * sdH * sdH));
}

/** Commuting rhythm 0..1: peaks around 07:45 and 18:15, a smaller one at 21:00, quiet at night. */
export function commuteProfile(hour: number): number {
  return Math.min(1, 0.03 + bump(hour, 7.75, 0.8) + 0.9 * bump(hour, 18.25, 1.0) + 0.3 * bump(hour, 21, 0.8));
}
