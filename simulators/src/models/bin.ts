import { DAY_MS, HOUR_MS, MINUTE_MS, atLocalHour, bump, dayIndex, hourOfDay } from '../clock.ts';
import { Rng, clamp, hashSeed, round } from '../rng.ts';
import { batteryPct, checkBattery, poissonNext, schedule, type BatteryState, type Body, type Emit, type Model, type ModelState, type Process } from './types.ts';

/**
 * Bin fill level (垃圾满溢), ultrasonic (Milesight EM400-UDL-like): fill rises with a daily rhythm
 * (breakfast, lunch, dinner) whose timing and volume differ by estate, collection rounds empty it,
 * a knock tilts it over, the lid warms in the afternoon sun.
 */
export interface BinParams {
  reportMs: number;
  batteryDrainPctPerDay: number;
  lowBatteryPct: number;
  tipsPerDay: number;
  /** Local hours of the estate's collection rounds (before the estate's own shift). */
  collectionHours: readonly number[];
}

export const BIN_DEFAULTS: BinParams = {
  reportMs: 30 * MINUTE_MS,
  batteryDrainPctPerDay: 100 / (4 * 365),
  lowBatteryPct: 20,
  tipsPerDay: 1 / 60,
  collectionHours: [6.5, 14.5],
};

/** An estate's rhythm: derived from its id alone, so every bin of an estate shares it. */
export interface EstateRhythm {
  shiftH: number;
  /** Mean fill added per day, % of the bin. */
  pctPerDay: number;
  lunchWeight: number;
}

export function estateRhythm(estateId: string): EstateRhythm {
  const rng = new Rng(hashSeed(0x5eed, 'estate-rhythm', estateId));
  return { shiftH: rng.range(-1, 1), pctPerDay: rng.range(55, 110), lunchWeight: rng.range(0.3, 1.2) };
}

/** Fill rate, % per hour, at local hour `h`. The shape integrates to about `pctPerDay`. */
export function fillRatePctPerHour(r: EstateRhythm, h: number): number {
  const x = h - r.shiftH;
  const shape = 0.08 + bump(x, 8, 1) + r.lunchWeight * bump(x, 12.5, 0.9) + 1.3 * bump(x, 19.5, 1.3);
  const area = 0.08 * 24 + Math.sqrt(2 * Math.PI) * (1 + r.lunchWeight * 0.9 + 1.3 * 1.3);
  return (r.pctPerDay * shape) / area;
}

export interface BinState extends ModelState, BatteryState {
  rhythm: EstateRhythm;
  /** Device's share of the estate's rubbish (some bins are by the gate). */
  usage: number;
  fillPct: number;
  fillAtMs: number;
  tilted: boolean;
  depthMm: number | null;
  offsetMm: number;
}

/** Integrates the fill from `fillAtMs` to `atMs` in 10-minute steps. */
function fillAt(s: BinState, atMs: number): number {
  let fill = s.fillPct;
  for (let t = s.fillAtMs; t < atMs; t += 10 * MINUTE_MS) {
    const dt = Math.min(10 * MINUTE_MS, atMs - t);
    fill += (fillRatePctPerHour(s.rhythm, hourOfDay(t + dt / 2)) * s.usage * dt) / HOUR_MS;
  }
  return clamp(fill, 0, 100);
}

function withFill(s: BinState, atMs: number): BinState {
  return { ...s, fillPct: fillAt(s, atMs), fillAtMs: atMs };
}

function temperature(atMs: number, rng: Rng): number {
  const h = hourOfDay(atMs);
  return round(clamp(18 + 7 * Math.sin(((h - 9) / 24) * 2 * Math.PI) + rng.normal(0, 0.8), -40, 80), 1);
}

function sample(s: BinState, atMs: number, rng: Rng, p: BinParams): Body {
  const fill = round(clamp(fillAt(s, atMs) + rng.normal(0, 0.7), 0, 100), 1);
  const body: Body = { fill_pct: fill, temperature_c: temperature(atMs, rng), tilted: s.tilted, battery_pct: batteryPct(s, atMs, p) };
  if (s.depthMm !== null) body.distance_mm = Math.round(s.offsetMm + (1 - fill / 100) * s.depthMm);
  return body;
}

function nextCollection(s: BinState, afterMs: number, p: BinParams): number {
  const day = dayIndex(afterMs);
  for (let d = day; d <= day + 1; d++) {
    for (const h of p.collectionHours) {
      const at = atLocalHour(d, h + s.rhythm.shiftH);
      if (at > afterMs) return at;
    }
  }
  return afterMs + DAY_MS;
}

const report: Process<BinState, BinParams> = (s0, at, rng, p) => {
  const s = withFill(s0, at);
  const checked = checkBattery(s, at, p);
  const emits: Emit[] = [{ atMs: at, message: 'telemetry', body: sample(s, at, rng, p) }, ...(checked.emits ?? [])];
  return { state: schedule(checked.state, 'report', at + p.reportMs), emits };
};

const collection: Process<BinState, BinParams> = (s0, at, rng, p) => {
  const s = withFill(s0, at);
  // A tilted bin is stood up by the crew, then emptied.
  const emits: Emit[] = s.tilted ? [{ atMs: at, message: 'event', body: { event: 'upright' } }] : [];
  const emptied: BinState = { ...s, fillPct: rng.range(0, 3), tilted: false, next: { ...s.next } };
  delete emptied.next.upright;
  return { state: schedule(emptied, 'collection', nextCollection(s, at + MINUTE_MS, p)), emits };
};

const tip: Process<BinState, BinParams> = (s, at, rng, p) => {
  const next = schedule(s, 'tip', poissonNext(p.tipsPerDay, at, rng));
  if (s.tilted) return { state: next };
  return {
    state: schedule({ ...next, tilted: true }, 'upright', at + Math.round(rng.range(20, 180) * MINUTE_MS)),
    emits: [{ atMs: at, message: 'event', body: { event: 'tilted', fill_pct: round(fillAt(s, at), 1) } }],
  };
};

const upright: Process<BinState, BinParams> = (s, at) => ({
  state: { ...s, tilted: false },
  emits: [{ atMs: at, message: 'event', body: { event: 'upright' } }],
});

export const binModel: Model<BinState, BinParams> = {
  kind: 'bin',
  defaults: BIN_DEFAULTS,
  init(device, rng, startMs, p) {
    const base: BinState = {
      tMs: startMs,
      next: { report: startMs + rng.float() * p.reportMs },
      startMs,
      battery0: round(rng.range(40, 100), 1),
      rhythm: estateRhythm(device.estateId),
      usage: rng.range(0.6, 1.4),
      fillPct: rng.range(0, 40),
      fillAtMs: startMs,
      tilted: false,
      lowBatterySent: false,
      depthMm: device.binDepthMm,
      offsetMm: device.sensorOffsetMm ?? 0,
    };
    const s = schedule(base, 'collection', nextCollection(base, startMs, p));
    return schedule(s, 'tip', poissonNext(p.tipsPerDay, startMs, rng));
  },
  processes: { report, collection, tip, upright },
  sample,
};
