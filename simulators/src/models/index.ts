import type { DeviceKind } from '@gridhub/core';
import { Rng } from '../rng.ts';
import { BIN_DEFAULTS, binModel, type BinParams } from './bin.ts';
import { EBIKE_DEFAULTS, ebikeModel, type EbikeParams } from './ebike.ts';
import { MANHOLE_DEFAULTS, manholeModel, type ManholeParams } from './manhole.ts';
import { SMOKE_DEFAULTS, smokeModel, type SmokeParams } from './smoke.ts';
import { advance, type Body, type Emit, type Model, type ModelState, type SimDeviceInfo } from './types.ts';
import { HOUR_MS, MINUTE_MS } from '../clock.ts';

export interface ModelParams {
  smoke: SmokeParams;
  bin: BinParams;
  manhole: ManholeParams;
  ebike: EbikeParams;
}
export type ModelParamsPatch = { [K in DeviceKind]?: Partial<ModelParams[K]> };

/** Field figures (DEVICES.md): a day between smoke reports, 30 min for covers and bins. */
export const FIELD_PARAMS: ModelParams = { smoke: SMOKE_DEFAULTS, bin: BIN_DEFAULTS, manhole: MANHOLE_DEFAULTS, ebike: EBIKE_DEFAULTS };

/**
 * For demos: the same behaviour, livelier, so a screen opened for a minute at x60 shows every kind
 * reporting and the occasional event (not a load test: a few messages per device per hour).
 */
export const DEMO_PARAMS: ModelParams = {
  smoke: { ...SMOKE_DEFAULTS, heartbeatMs: 15 * MINUTE_MS, falseAlarmsPerDay: 1 / 4, selfTestsPerDay: 1 / 2, tampersPerDay: 1 / 8 },
  bin: { ...BIN_DEFAULTS, reportMs: 10 * MINUTE_MS, tipsPerDay: 1 / 5 },
  manhole: { ...MANHOLE_DEFAULTS, heartbeatMs: 10 * MINUTE_MS, vibrationsPerHourPeak: 1, displacementsPerDay: 1 / 6, rainyDayChance: 0.5 },
  ebike: { ...EBIKE_DEFAULTS, heartbeatMs: 20 * MINUTE_MS, detectionsPerHourPeak: 2 },
};

export function mergeParams(base: ModelParams, patch: ModelParamsPatch = {}): ModelParams {
  return {
    smoke: { ...base.smoke, ...patch.smoke },
    bin: { ...base.bin, ...patch.bin },
    manhole: { ...base.manhole, ...patch.manhole },
    ebike: { ...base.ebike, ...patch.ebike },
  };
}

type AnyModel = Model<ModelState, unknown>;
const MODELS: Record<DeviceKind, AnyModel> = {
  smoke: smokeModel as unknown as AnyModel,
  bin: binModel as unknown as AnyModel,
  manhole: manholeModel as unknown as AnyModel,
  ebike: ebikeModel as unknown as AnyModel,
};

/**
 * One device's behaviour: its model, params, own seeded stream and current state. The only
 * mutable wrapper around the pure models; `advanceTo` returns what the device says meanwhile.
 */
export class DeviceBehaviour {
  readonly rng: Rng;
  private state: ModelState;
  private readonly model: AnyModel;
  private readonly params: unknown;

  constructor(readonly device: SimDeviceInfo, seed: number, startMs: number, params: ModelParams = FIELD_PARAMS) {
    this.model = MODELS[device.kind];
    this.params = params[device.kind];
    this.rng = Rng.derive(seed, 'device', device.id);
    this.state = this.model.init(device, this.rng, startMs, this.params);
  }

  advanceTo(toMs: number): Emit[] {
    const r = advance(this.model, this.state, toMs, this.rng, this.params);
    this.state = r.state;
    return r.emits;
  }

  /** A telemetry body as of `atMs`, without advancing (load runs set their own pace). */
  sample(atMs: number): Body {
    return this.model.sample(this.state, atMs, this.rng, this.params);
  }
}

/** The messages of one device from `startMs` to `endMs`, in time order: for tests and previews. */
export function simulateDevice(device: SimDeviceInfo, seed: number, startMs: number, endMs: number, params: ModelParams = FIELD_PARAMS, stepMs = HOUR_MS): Emit[] {
  const b = new DeviceBehaviour(device, seed, startMs, params);
  const out: Emit[] = [];
  for (let t = startMs; t < endMs; ) {
    t = Math.min(endMs, t + stepMs);
    out.push(...b.advanceTo(t));
  }
  return out.sort((a, b2) => a.atMs - b2.atMs);
}

export { binModel, ebikeModel, manholeModel, smokeModel };
export { estateRhythm, fillRatePctPerHour } from './bin.ts';
export { stormOn } from './manhole.ts';
export { detectionConfidence } from './ebike.ts';
export type { Body, Emit, SimDeviceInfo } from './types.ts';
