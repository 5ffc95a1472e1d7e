import type { Reading } from './reading.ts';

/**
 * Device clocks are evidence, not authority (docs/protocol.md, "Time"). The hub's arrival time
 * orders and ages everything; the device's `ts` is kept and compared. A `ts` that cannot be
 * right is never a reason to refuse a message: the reading is stored at its arrival time and
 * flagged with why its clock is suspect.
 */
export type ClockSuspicion =
  /** Before 2000-01-01: a clock never set (counting from 1970, or from boot). */
  | 'unset'
  /** Before the device was installed (a day's grace for time zones). */
  | 'before_install'
  /** Further ahead of the hub's clock than HUB_MAX_CLOCK_SKEW_S allows. */
  | 'ahead';

export const CLOCK_SUSPICIONS: readonly ClockSuspicion[] = ['unset', 'before_install', 'ahead'];

/** Earliest plausible device time: 2000-01-01T00:00:00Z. */
export const CLOCK_FLOOR_MS = 946_684_800_000;
/** Default HUB_MAX_CLOCK_SKEW_S: how far ahead of the hub a device's clock may run. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 300_000;
const DAY_MS = 86_400_000;

/** Pure: why a device time cannot be right, or null when it is plausible. */
export function judgeClock(tsMs: number, rxMs: number, installedAt: string | null, maxSkewMs: number): ClockSuspicion | null {
  if (tsMs < CLOCK_FLOOR_MS) return 'unset';
  if (installedAt) {
    const installed = Date.parse(`${installedAt}T00:00:00Z`);
    if (Number.isFinite(installed) && tsMs < installed - DAY_MS) return 'before_install';
  }
  if (tsMs > rxMs + maxSkewMs) return 'ahead';
  return null;
}

/**
 * The reading as the hub keeps it: unchanged when its clock is plausible; otherwise timed at its
 * arrival, with the device's time kept in `deviceTsMs` and the reason in `clockSuspect`.
 */
export function withJudgedClock(r: Reading, installedAt: string | null, maxSkewMs: number): Reading {
  const why = judgeClock(r.tsMs, r.rxMs, installedAt, maxSkewMs);
  return why ? { ...r, tsMs: r.rxMs, deviceTsMs: r.tsMs, clockSuspect: why } : r;
}

/**
 * `work`, or an Error "timed out after N ms" once `ms` have passed (the work itself goes on; its
 * outcome is ignored): for probes that must answer while a dependency hangs (a stalled store).
 */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    timer.unref?.();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
