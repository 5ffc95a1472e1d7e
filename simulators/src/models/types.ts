import type { DeviceKind } from '@gridhub/core';
import type { Rng } from '../rng.ts';

/** What a model knows about its device (flattened from the site file). */
export interface SimDeviceInfo {
  id: string;
  kind: DeviceKind;
  estateId: string;
  buildingId: string | null;
  unitId: string | null;
  floor: number | null;
  /** Floors of the device's building (e-bike cameras ride the whole building). */
  buildingFloors: number | null;
  binDepthMm: number | null;
  sensorOffsetMm: number | null;
}

export type BodyValue = number | boolean | string;
/** A payload without its envelope: the transport adds `ts` (simulated clock) and `seq`. */
export type Body = Record<string, BodyValue>;

export interface Emit {
  /** Simulated epoch ms: becomes the payload's `ts`. */
  atMs: number;
  message: 'telemetry' | 'event';
  body: Body;
}

/**
 * Each model is a small set of named processes (heartbeat, false alarm, collection round...).
 * `next[name]` is the simulated time the process fires next. Advancing runs the earliest due
 * process until none is due: exact event times at any speed, and cheap for 10,000 devices.
 */
export interface ModelState {
  tMs: number;
  next: Record<string, number>;
}

export interface Step<S> {
  state: S;
  emits?: Emit[];
}

/** One process: given the state at its firing time, the new state (with its own next time set). */
export type Process<S extends ModelState, P> = (state: S, atMs: number, rng: Rng, params: P) => Step<S>;

export interface Model<S extends ModelState, P> {
  readonly kind: DeviceKind;
  readonly defaults: P;
  init(device: SimDeviceInfo, rng: Rng, startMs: number, params: P): S;
  readonly processes: Record<string, Process<S, P>>;
  /** A telemetry body for the state at `atMs` (used by load runs that set their own pace). */
  sample(state: S, atMs: number, rng: Rng, params: P): Body;
}

export interface Advanced<S> {
  state: S;
  emits: Emit[];
}

/** Runs every process due up to `toMs`, in time order. Pure but for the rng stream it draws on. */
export function advance<S extends ModelState, P>(model: Model<S, P>, state: S, toMs: number, rng: Rng, params: P): Advanced<S> {
  const emits: Emit[] = [];
  let s = state;
  for (let guard = 0; guard < 100_000; guard++) {
    let dueName: string | null = null;
    let dueAt = Infinity;
    for (const [name, at] of Object.entries(s.next)) {
      if (at < dueAt) {
        dueAt = at;
        dueName = name;
      }
    }
    if (dueName === null || dueAt > toMs) break;
    const proc = model.processes[dueName];
    if (!proc) throw new Error(`${model.kind} model has no process ${dueName}`);
    const { [dueName]: _fired, ...rest } = s.next;
    const at = Math.round(dueAt); // payload `ts` is whole milliseconds
    const step = proc({ ...s, tMs: at, next: rest }, at, rng, params);
    s = step.state;
    if (step.emits) emits.push(...step.emits);
  }
  return { state: { ...s, tMs: Math.max(s.tMs, toMs) }, emits };
}

/** Sets (or clears, with null) one process's next firing time. */
export function schedule<S extends ModelState>(state: S, name: string, atMs: number | null): S {
  const next = { ...state.next };
  if (atMs === null) delete next[name];
  else next[name] = atMs;
  return { ...state, next };
}

/**
 * Next arrival of a Poisson process whose rate varies over the day (thinning): candidates at the
 * peak rate, each kept with probability rate(t)/peak.
 */
export function nextArrival(fromMs: number, peakPerMs: number, rateShape: (ms: number) => number, rng: Rng): number {
  let t = fromMs;
  for (let i = 0; i < 10_000; i++) {
    t += rng.exp(1 / peakPerMs);
    if (rng.float() <= rateShape(t)) return t;
  }
  return t;
}

/** Next arrival of a Poisson process of `perDay` events a day, or null when it is off. */
export function poissonNext(perDay: number, fromMs: number, rng: Rng): number | null {
  return perDay > 0 ? fromMs + rng.exp(86_400_000 / perDay) : null;
}

/** Battery-powered devices: a level at start, a linear drain, one low-battery event. */
export interface BatteryState {
  startMs: number;
  battery0: number;
  lowBatterySent: boolean;
}
export interface BatteryParams {
  batteryDrainPctPerDay: number;
  lowBatteryPct: number;
}

/** Battery %, one decimal, after a linear drain since the device started. */
export function batteryPct(s: BatteryState, atMs: number, p: BatteryParams): number {
  return Math.round(Math.max(0, s.battery0 - ((atMs - s.startMs) / 86_400_000) * p.batteryDrainPctPerDay) * 10) / 10;
}

/** Checked at each report (GB 20517: at least every 24 h): the first time it is low, one event. */
export function checkBattery<S extends BatteryState>(s: S, atMs: number, p: BatteryParams): Step<S> {
  const pct = batteryPct(s, atMs, p);
  if (pct > p.lowBatteryPct || s.lowBatterySent) return { state: s };
  return { state: { ...s, lowBatterySent: true }, emits: [{ atMs: atMs + 1, message: 'event', body: { event: 'low_battery', battery_pct: pct } }] };
}
