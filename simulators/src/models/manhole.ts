import { DAY_MS, HOUR_MS, MINUTE_MS, atLocalHour, commuteProfile, dayIndex, hourOfDay } from '../clock.ts';
import { Rng, clamp, hashSeed, round } from '../rng.ts';
import { batteryPct, checkBattery, nextArrival, poissonNext, schedule, type BatteryState, type Body, type Emit, type Model, type ModelState, type Process } from './types.ts';

/**
 * Smart manhole cover (智能井盖): 30-minute heartbeat, traffic vibration (tilt spikes shorter than
 * 2 s, which a real cover's firmware ignores but a raw-reporting one sends), a cover lifted or
 * displaced, rain raising the water beneath (the same storms for every cover of an estate).
 */
export interface ManholeParams {
  heartbeatMs: number;
  batteryDrainPctPerDay: number;
  lowBatteryPct: number;
  /** Vibration spikes per hour at rush hour (0 turns them off). */
  vibrationsPerHourPeak: number;
  displacementsPerDay: number;
  tiltAlarmDeg: number;
  waterHighCm: number;
  waterNormalCm: number;
  /** Chance that a given day has a storm over the estate. */
  rainyDayChance: number;
  waterStepMs: number;
}

export const MANHOLE_DEFAULTS: ManholeParams = {
  heartbeatMs: 30 * MINUTE_MS,
  batteryDrainPctPerDay: 100 / (9 * 365),
  lowBatteryPct: 15,
  vibrationsPerHourPeak: 2,
  displacementsPerDay: 1 / 365,
  tiltAlarmDeg: 10,
  waterHighCm: 100,
  waterNormalCm: 80,
  rainyDayChance: 0.25,
  waterStepMs: 10 * MINUTE_MS,
};

export interface Storm {
  startMs: number;
  endMs: number;
  /** Water inflow while it rains, cm per hour. */
  cmPerHour: number;
}

/** The storm over an estate on a local day, or null: a function of (estate, day) only. */
export function stormOn(estateId: string, day: number, chance: number): Storm | null {
  const rng = new Rng(hashSeed(day, 'storm', estateId));
  if (!rng.chance(chance)) return null;
  const startMs = atLocalHour(day, rng.range(0, 22));
  return { startMs, endMs: startMs + rng.range(0.5, 5) * HOUR_MS, cmPerHour: rng.range(10, 70) };
}

export interface ManholeState extends ModelState, BatteryState {
  estateId: string;
  baseTiltDeg: number;
  baseWaterCm: number;
  waterCm: number;
  waterHigh: boolean;
  hasCh4: boolean;
  displaced: boolean;
  open: boolean;
  tiltDeg: number;
}

function telemetry(s: ManholeState, at: number, rng: Rng, p: ManholeParams, tiltDeg: number): Body {
  const body: Body = {
    tilt_deg: round(clamp(tiltDeg, 0, 180), 1),
    open: s.open,
    water_level_cm: round(clamp(s.waterCm + rng.normal(0, 0.5), 0, 500), 1),
    battery_pct: batteryPct(s, at, p),
  };
  if (s.hasCh4) body.ch4_pct_lel = round(clamp(Math.abs(rng.normal(0.5, 0.4)), 0, 100), 1);
  return body;
}

function restingTilt(s: ManholeState, rng: Rng): number {
  return s.displaced ? s.tiltDeg : Math.abs(s.baseTiltDeg + rng.normal(0, 0.1));
}

const sample = (s: ManholeState, at: number, rng: Rng, p: ManholeParams): Body => telemetry(s, at, rng, p, restingTilt(s, rng));

const heartbeat: Process<ManholeState, ManholeParams> = (s, at, rng, p) => {
  const checked = checkBattery(s, at, p);
  const emits: Emit[] = [{ atMs: at, message: 'telemetry', body: sample(s, at, rng, p) }, ...(checked.emits ?? [])];
  return { state: schedule(checked.state, 'heartbeat', at + p.heartbeatMs), emits };
};

const trafficShape = (ms: number) => commuteProfile(hourOfDay(ms));

/** A passing lorry rocks the cover for under 2 s: a spike, then back to rest. */
const vibration: Process<ManholeState, ManholeParams> = (s, at, rng, p) => {
  const state = schedule(s, 'vibration', nextArrival(at, p.vibrationsPerHourPeak / HOUR_MS, trafficShape, rng));
  if (s.displaced) return { state };
  const settleMs = Math.round(rng.range(300, 1800));
  return {
    state,
    emits: [
      { atMs: at, message: 'telemetry', body: telemetry(s, at, rng, p, s.baseTiltDeg + rng.range(4, 14)) },
      { atMs: at + settleMs, message: 'telemetry', body: telemetry(s, at + settleMs, rng, p, restingTilt(s, rng)) },
    ],
  };
};

const displacement: Process<ManholeState, ManholeParams> = (s, at, rng, p) => {
  const next = schedule(s, 'displacement', poissonNext(p.displacementsPerDay, at, rng));
  if (s.displaced) return { state: next };
  const tiltDeg = round(rng.range(p.tiltAlarmDeg + 5, 60), 1);
  const open = rng.chance(0.5);
  const emits: Emit[] = [{ atMs: at, message: 'event', body: { event: 'tilted', tilt_deg: tiltDeg } }];
  if (open) emits.push({ atMs: at + 200, message: 'event', body: { event: 'opened', tilt_deg: tiltDeg } });
  return {
    state: schedule({ ...next, displaced: true, open, tiltDeg }, 'repair', at + Math.round(rng.range(1, 8) * HOUR_MS)),
    emits,
  };
};

const repair: Process<ManholeState, ManholeParams> = (s, at) => {
  const emits: Emit[] = [];
  if (s.open) emits.push({ atMs: at, message: 'event', body: { event: 'closed', tilt_deg: s.baseTiltDeg } });
  emits.push({ atMs: at + 200, message: 'event', body: { event: 'tilt_cleared', tilt_deg: round(s.baseTiltDeg, 1) } });
  return { state: { ...s, displaced: false, open: false, tiltDeg: s.baseTiltDeg }, emits };
};

/** Water: inflow while the estate's storm lasts, draining back towards the dry level. */
const water: Process<ManholeState, ManholeParams> = (s, at, _rng, p) => {
  const storm = stormOn(s.estateId, dayIndex(at), p.rainyDayChance);
  const raining = storm !== null && at >= storm.startMs && at < storm.endMs;
  const hours = p.waterStepMs / HOUR_MS;
  const inflow = raining ? storm.cmPerHour * hours : 0;
  const drain = (s.waterCm - s.baseWaterCm) * (1 - Math.exp(-0.5 * hours));
  const waterCm = clamp(s.waterCm + inflow - drain, 0, 500);
  const emits: Emit[] = [];
  let waterHigh = s.waterHigh;
  if (!waterHigh && waterCm >= p.waterHighCm) {
    waterHigh = true;
    emits.push({ atMs: at, message: 'event', body: { event: 'water_high', water_level_cm: round(waterCm, 1) } });
  } else if (waterHigh && waterCm <= p.waterNormalCm) {
    waterHigh = false;
    emits.push({ atMs: at, message: 'event', body: { event: 'water_normal', water_level_cm: round(waterCm, 1) } });
  }
  return { state: schedule({ ...s, waterCm, waterHigh }, 'water', at + p.waterStepMs), emits };
};

export const manholeModel: Model<ManholeState, ManholeParams> = {
  kind: 'manhole',
  defaults: MANHOLE_DEFAULTS,
  init(device, rng, startMs, p) {
    const baseWaterCm = rng.range(5, 40);
    const next: Record<string, number> = {
      heartbeat: startMs + rng.float() * p.heartbeatMs,
      water: startMs + rng.float() * p.waterStepMs,
    };
    if (p.vibrationsPerHourPeak > 0) next.vibration = nextArrival(startMs, p.vibrationsPerHourPeak / HOUR_MS, trafficShape, rng);
    if (p.displacementsPerDay > 0) next.displacement = startMs + rng.exp(DAY_MS / p.displacementsPerDay);
    const baseTiltDeg = rng.range(0.2, 1.5);
    return {
      tMs: startMs,
      next,
      startMs,
      estateId: device.estateId,
      battery0: round(rng.range(50, 100), 1),
      baseTiltDeg,
      baseWaterCm,
      waterCm: baseWaterCm,
      waterHigh: false,
      hasCh4: rng.chance(0.3),
      displaced: false,
      open: false,
      tiltDeg: baseTiltDeg,
      lowBatterySent: false,
    };
  },
  processes: { heartbeat, vibration, displacement, repair, water },
  sample,
};
