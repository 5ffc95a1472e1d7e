import { HOUR_MS, commuteProfile, hourOfDay } from '../clock.ts';
import { clamp, round, type Rng } from '../rng.ts';
import { nextArrival, schedule, type Body, type Emit, type Model, type ModelState, type Process } from './types.ts';

/**
 * E-bike-in-elevator camera (电动车进电梯预警): recognition in 1-2 s at ~96-98 % accuracy;
 * riders come at commuting hours; on a confident detection the door is held open until the bike
 * leaves; bicycles and prams score low and are not held. Heartbeat: camera health.
 */
export interface EbikeParams {
  heartbeatMs: number;
  /** Detections per hour at the commuting peak. */
  detectionsPerHourPeak: number;
  /** Share of detections that really are e-bikes (the rest: bicycles, prams, trolleys). */
  ebikeShare: number;
  /** Confidence at which the camera holds the door. */
  holdConfidence: number;
  cameraFaultChance: number;
}

export const EBIKE_DEFAULTS: EbikeParams = {
  heartbeatMs: HOUR_MS,
  detectionsPerHourPeak: 0.4,
  ebikeShare: 0.8,
  holdConfidence: 0.8,
  cameraFaultChance: 0.002,
};

export interface EbikeState extends ModelState {
  bootMs: number;
  floors: number;
  tempBaseC: number;
  /** While a bike is in the car: the floor it was seen at and its confidence. */
  present: { floor: number; confidence: number; held: boolean } | null;
}

/** Confidence: true e-bikes score high (1 - |N(0, 0.06)|), look-alikes spread low. */
export function detectionConfidence(rng: Rng, ebikeShare: number): number {
  const c = rng.chance(ebikeShare) ? 1 - Math.abs(rng.normal(0, 0.06)) : rng.range(0.3, 0.8);
  return round(clamp(c, 0, 1), 3);
}

/** Riders mostly enter at the ground floor or the garage, some come down from home. */
function detectionFloor(s: EbikeState, rng: Rng): number {
  const u = rng.float();
  if (u < 0.6) return 1;
  if (u < 0.75) return -1;
  return rng.int(2, Math.max(2, s.floors));
}

function sample(s: EbikeState, at: number, rng: Rng, p: EbikeParams): Body {
  return {
    camera_ok: !rng.chance(p.cameraFaultChance),
    temperature_c: round(clamp(s.tempBaseC + 2 * Math.sin(((hourOfDay(at) - 9) / 24) * 2 * Math.PI) + rng.normal(0, 0.4), -40, 150), 1),
    uptime_s: Math.max(0, Math.floor((at - s.bootMs) / 1000)),
  };
}

const heartbeat: Process<EbikeState, EbikeParams> = (s, at, rng, p) => ({
  state: schedule(s, 'heartbeat', at + p.heartbeatMs),
  emits: [{ atMs: at, message: 'telemetry', body: sample(s, at, rng, p) }],
});

const commuteShape = (ms: number) => commuteProfile(hourOfDay(ms));

const detection: Process<EbikeState, EbikeParams> = (s, at, rng, p) => {
  const next = schedule(s, 'detection', nextArrival(at, p.detectionsPerHourPeak / HOUR_MS, commuteShape, rng));
  if (s.present) return { state: next };
  const confidence = detectionConfidence(rng, p.ebikeShare);
  const floor = detectionFloor(s, rng);
  const held = confidence >= p.holdConfidence;
  const seenAt = at + Math.round(rng.range(1000, 2000)); // recognition takes 1-2 s
  const emits: Emit[] = [{ atMs: seenAt, message: 'event', body: { event: 'ebike_detected', confidence, floor, door_held: held } }];
  // A held rider backs out within a minute or two; an unheld look-alike rides on.
  const leaveAt = seenAt + Math.round((held ? rng.range(15, 150) : rng.range(20, 60)) * 1000);
  return { state: schedule({ ...next, present: { floor, confidence, held } }, 'left', leaveAt), emits };
};

const left: Process<EbikeState, EbikeParams> = (s, at) => {
  const was = s.present;
  const emits: Emit[] = was ? [{ atMs: at, message: 'event', body: { event: 'ebike_left', confidence: was.confidence, floor: was.floor, door_held: false } }] : [];
  return { state: { ...s, present: null }, emits };
};

export const ebikeModel: Model<EbikeState, EbikeParams> = {
  kind: 'ebike',
  defaults: EBIKE_DEFAULTS,
  init(device, rng, startMs, p) {
    const next: Record<string, number> = { heartbeat: startMs + rng.float() * p.heartbeatMs };
    if (p.detectionsPerHourPeak > 0) next.detection = nextArrival(startMs, p.detectionsPerHourPeak / HOUR_MS, commuteShape, rng);
    return {
      tMs: startMs,
      next,
      bootMs: startMs - Math.round(rng.range(1, 90) * 24 * HOUR_MS),
      floors: device.buildingFloors ?? 6,
      tempBaseC: rng.range(22, 32),
      present: null,
    };
  },
  processes: { heartbeat, detection, left },
  sample,
};
