import { describe, expect, it } from 'vitest';
import { CLOCK_FLOOR_MS, judgeClock, withJudgedClock, type Reading } from '../src/index.ts';

const RX = Date.parse('2026-03-03T10:00:00Z');
const SKEW = 300_000;
const YEAR = 365 * 86_400_000;

describe('device clocks are evidence: judgeClock', () => {
  it.each([
    ['a clock on time', RX - 2_000, null, null],
    ['a clock a little ahead (within the skew)', RX + SKEW, null, null],
    ['a clock days behind (a buffered reading) is plausible', RX - 3 * 86_400_000, null, null],
    ['ts 0 (never set)', 0, null, 'unset'],
    ['ts 5000 (1970, counting from boot)', 5000, null, 'unset'],
    ['the last ms of 1999', CLOCK_FLOOR_MS - 1, null, 'unset'],
    ['2001 on a device installed in 2025', Date.parse('2001-05-01T00:00:00Z'), '2025-06-01', 'before_install'],
    ['the day before install (time zones)', Date.parse('2025-05-31T12:00:00Z'), '2025-06-01', null],
    ['just past the skew ahead', RX + SKEW + 1, null, 'ahead'],
    ['a year ahead', RX + YEAR, null, 'ahead'],
    ['2099', Date.parse('2099-01-01T00:00:00Z'), '2025-06-01', 'ahead'],
  ] as const)('%s', (_what, ts, installed, expected) => {
    expect(judgeClock(ts, RX, installed, SKEW)).toBe(expected);
  });

  it('a suspect reading is timed at its arrival, keeping what the device said; a plausible one is untouched', () => {
    const r: Reading = { deviceId: 'smk-1', kind: 'smoke', message: 'event', tsMs: 5000, seq: 7, rxMs: RX, place: { street: 's', community: 'c', grid: 'g', estate: 'e', building: 'b', unit: 'u' }, fields: { event: 'alarm' } };
    expect(withJudgedClock(r, null, SKEW)).toEqual({ ...r, tsMs: RX, deviceTsMs: 5000, clockSuspect: 'unset' });
    const ok = { ...r, tsMs: RX - 10 };
    expect(withJudgedClock(ok, null, SKEW)).toBe(ok);
  });
});
