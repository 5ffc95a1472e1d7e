import { describe, expect, it } from 'vitest';
import { decodePayload, type DeviceKind } from '@gridhub/core';
import {
  DAY_MS, DEMO_PARAMS, FIELD_PARAMS, HOUR_MS, MINUTE_MS, estateRhythm, fillRatePctPerHour, hourOfDay, mergeParams, simulateDevice, stormOn,
  type Emit, type SimDeviceInfo,
} from '../src/index.ts';

const START = Date.UTC(2026, 2, 2, 16, 0, 0); // 2026-03-03 00:00 in China (UTC+8)

function device(kind: DeviceKind, over: Partial<SimDeviceInfo> = {}): SimDeviceInfo {
  return { id: `t-${kind}-1`, kind, estateId: 'e01', buildingId: 'b1', unitId: 'u1', floor: 3, buildingFloors: 12, binDepthMm: 1000, sensorOffsetMm: 100, ...over };
}

/** Every emit, wrapped in its envelope, must pass the hub's own decoder. */
function expectValid(kind: DeviceKind, emits: Emit[]) {
  emits.forEach((e, seq) => {
    const bytes = new TextEncoder().encode(JSON.stringify({ ...e.body, ts: e.atMs, seq }));
    expect(() => decodePayload(kind, e.message, bytes), JSON.stringify(e)).not.toThrow();
  });
}

const events = (emits: Emit[], name?: string) => emits.filter((e) => e.message === 'event' && (name === undefined || e.body.event === name));
const telemetry = (emits: Emit[]) => emits.filter((e) => e.message === 'telemetry');

describe('models are deterministic for a seed', () => {
  for (const kind of ['smoke', 'bin', 'manhole', 'ebike'] as const) {
    it(`${kind}: same seed, same messages; another seed, others; all valid per the contract`, () => {
      const a = simulateDevice(device(kind), 7, START, START + 3 * DAY_MS, DEMO_PARAMS);
      const b = simulateDevice(device(kind), 7, START, START + 3 * DAY_MS, DEMO_PARAMS);
      const c = simulateDevice(device(kind), 8, START, START + 3 * DAY_MS, DEMO_PARAMS);
      expect(a.length).toBeGreaterThan(10);
      expect(b).toEqual(a);
      expect(c).not.toEqual(a);
      expectValid(kind, a);
      expectValid(kind, simulateDevice(device(kind), 7, START, START + 10 * DAY_MS, FIELD_PARAMS));
    });
  }
});

describe('smoke alarm', () => {
  it('reports about daily with a battery that only drains, and sends low_battery once', () => {
    const emits = simulateDevice(device('smoke'), 3, START, START + 30 * DAY_MS, mergeParams(FIELD_PARAMS, { smoke: { batteryDrainPctPerDay: 3 } }));
    const beats = telemetry(emits);
    expect(beats.length).toBeGreaterThanOrEqual(29);
    expect(beats.length).toBeLessThanOrEqual(31);
    for (let i = 1; i < beats.length; i++) {
      expect(beats[i]!.atMs - beats[i - 1]!.atMs).toBeGreaterThan(23 * HOUR_MS);
      expect(beats[i]!.body.battery_pct as number).toBeLessThanOrEqual(beats[i - 1]!.body.battery_pct as number);
    }
    expect(events(emits, 'low_battery')).toHaveLength(1);
  });

  it('clears every false alarm within minutes, and puts back every removed detector', () => {
    const emits = simulateDevice(device('smoke'), 5, START, START + 20 * DAY_MS, mergeParams(FIELD_PARAMS, { smoke: { falseAlarmsPerDay: 1, tampersPerDay: 0.5 } }));
    const alarms = events(emits, 'alarm');
    expect(alarms.length).toBeGreaterThan(5);
    for (const a of alarms) {
      const cleared = events(emits, 'alarm_cleared').find((c) => c.atMs > a.atMs);
      expect(cleared).toBeDefined();
      expect(cleared!.atMs - a.atMs).toBeLessThan(10 * MINUTE_MS);
    }
    expect(events(emits, 'tamper').length).toBeGreaterThan(2);
    expect(events(emits, 'tamper_cleared').length).toBeGreaterThanOrEqual(events(emits, 'tamper').length - 1);
  });
});

describe('bin', () => {
  it('fills with the estate rhythm and is emptied by collection rounds', () => {
    const emits = simulateDevice(device('bin'), 11, START, START + 4 * DAY_MS, mergeParams(FIELD_PARAMS, { bin: { tipsPerDay: 0 } }));
    const fills = telemetry(emits).map((e) => e.body.fill_pct as number);
    expect(Math.max(...fills)).toBeGreaterThan(30);
    const drops = fills.filter((f, i) => i > 0 && fills[i - 1]! - f > 15).length;
    expect(drops).toBeGreaterThanOrEqual(6); // two rounds a day for four days, give or take one
    for (const e of telemetry(emits)) expect(e.body.distance_mm).toBe(Math.round(100 + (1 - (e.body.fill_pct as number) / 100) * 1000));
  });

  it('differs by estate and rises faster at meal times than at night', () => {
    const a = estateRhythm('e01');
    const b = estateRhythm('e02');
    expect(a).not.toEqual(b);
    expect(fillRatePctPerHour(a, 12.5 + a.shiftH)).toBeGreaterThan(3 * fillRatePctPerHour(a, 3));
  });

  it('tilts when knocked over and is stood up again', () => {
    const emits = simulateDevice(device('bin'), 2, START, START + 10 * DAY_MS, mergeParams(FIELD_PARAMS, { bin: { tipsPerDay: 1 } }));
    expect(events(emits, 'tilted').length).toBeGreaterThan(3);
    expect(telemetry(emits).some((e) => e.body.tilted === true)).toBe(true);
    expect(events(emits, 'upright').length).toBeGreaterThanOrEqual(events(emits, 'tilted').length - 1);
  });
});

describe('manhole cover', () => {
  it('shows traffic vibration as tilt spikes that settle in under 2 s, mostly at rush hours', () => {
    const emits = simulateDevice(device('manhole'), 4, START, START + 5 * DAY_MS, mergeParams(FIELD_PARAMS, { manhole: { vibrationsPerHourPeak: 6, displacementsPerDay: 0 } }));
    const t = telemetry(emits);
    const spikes = t.filter((e) => (e.body.tilt_deg as number) > 4);
    expect(spikes.length).toBeGreaterThan(20);
    for (const s of spikes) {
      const settled = t.find((e) => e.atMs > s.atMs && (e.body.tilt_deg as number) < 2);
      expect(settled!.atMs - s.atMs).toBeLessThan(2000);
    }
    const rush = spikes.filter((s) => { const h = hourOfDay(s.atMs); return (h > 6 && h < 10) || (h > 16 && h < 21); });
    expect(rush.length / spikes.length).toBeGreaterThan(0.6);
    expect(events(emits, 'tilted')).toHaveLength(0);
  });

  it('raises the water in a storm over its estate and reports water_high, then water_normal', () => {
    const p = mergeParams(FIELD_PARAMS, { manhole: { rainyDayChance: 1, vibrationsPerHourPeak: 0, displacementsPerDay: 0 } });
    const emits = simulateDevice(device('manhole'), 9, START, START + 6 * DAY_MS, p);
    const storms = [0, 1, 2, 3, 4, 5].map((d) => stormOn('e01', Math.floor((START + 8 * HOUR_MS) / DAY_MS) + d, 1)!);
    expect(storms.every((s) => s.endMs > s.startMs)).toBe(true);
    const high = events(emits, 'water_high');
    expect(high.length).toBeGreaterThan(0);
    for (const h of high) expect(storms.some((s) => h.atMs >= s.startMs && h.atMs <= s.endMs + 10 * MINUTE_MS)).toBe(true);
    expect(events(emits, 'water_normal').length).toBeGreaterThanOrEqual(high.length - 1);
  });

  it('reports a displaced cover (tilted, maybe opened) and its repair', () => {
    const emits = simulateDevice(device('manhole'), 6, START, START + 10 * DAY_MS, mergeParams(FIELD_PARAMS, { manhole: { displacementsPerDay: 1, vibrationsPerHourPeak: 0 } }));
    const tilted = events(emits, 'tilted');
    expect(tilted.length).toBeGreaterThan(3);
    for (const e of tilted) expect(e.body.tilt_deg as number).toBeGreaterThan(FIELD_PARAMS.manhole.tiltAlarmDeg);
    expect(events(emits, 'tilt_cleared').length).toBeGreaterThanOrEqual(tilted.length - 1);
    expect(events(emits, 'opened').length - events(emits, 'closed').length).toBeOneOf([0, 1]);
  });
});

describe('e-bike camera', () => {
  it('clusters detections at commuting hours, holds the door only when confident, and sees each bike leave', () => {
    const emits = simulateDevice(device('ebike'), 12, START, START + 30 * DAY_MS, FIELD_PARAMS);
    const seen = events(emits, 'ebike_detected');
    expect(seen.length).toBeGreaterThan(30);
    const commute = seen.filter((e) => { const h = hourOfDay(e.atMs); return (h >= 6 && h < 10) || (h >= 16.5 && h < 22); });
    expect(commute.length / seen.length).toBeGreaterThan(0.75);
    for (const e of seen) {
      expect(e.body.door_held).toBe((e.body.confidence as number) >= FIELD_PARAMS.ebike.holdConfidence);
      const left = events(emits, 'ebike_left').find((l) => l.atMs > e.atMs);
      if (left) expect(left.body.floor).toBe(e.body.floor);
    }
    const confident = seen.filter((e) => (e.body.confidence as number) >= 0.9).length;
    expect(confident / seen.length).toBeGreaterThan(0.5);
    expect(seen.some((e) => (e.body.confidence as number) < 0.8)).toBe(true);
  });
});
