import { DAY_MS, MINUTE_MS, hourOfDay } from '../clock.ts';
import { clamp, round, type Rng } from '../rng.ts';
import { batteryPct, checkBattery, poissonNext, schedule, type BatteryState, type Body, type Emit, type Model, type ModelState, type Process } from './types.ts';

/**
 * Smoke alarm (烟感): a periodic status report about daily (GB 20517: battery checked every 24 h;
 * Huawei's platform calls it abnormal after 25 h), a 3.6 V cell for about 3 years, rare false
 * alarms (cooking, dust), the test button, removal from its base (tamper).
 */
export interface SmokeParams {
  heartbeatMs: number;
  batteryDrainPctPerDay: number;
  lowBatteryPct: number;
  falseAlarmsPerDay: number;
  selfTestsPerDay: number;
  tampersPerDay: number;
}

export const SMOKE_DEFAULTS: SmokeParams = {
  heartbeatMs: DAY_MS,
  batteryDrainPctPerDay: 100 / (3 * 365),
  lowBatteryPct: 20,
  falseAlarmsPerDay: 1 / 180,
  selfTestsPerDay: 1 / 30,
  tampersPerDay: 1 / 365,
};

export interface SmokeState extends ModelState, BatteryState {
  tempBaseC: number;
  alarm: boolean;
  tampered: boolean;
}

/** Indoor temperature: a few degrees of daily swing around the device's own base. */
function temperature(s: SmokeState, atMs: number, rng: Rng): number {
  const h = hourOfDay(atMs);
  return round(clamp(s.tempBaseC + 2 * Math.sin(((h - 9) / 24) * 2 * Math.PI) + rng.normal(0, 0.3), -20, 70), 1);
}

function sample(s: SmokeState, atMs: number, rng: Rng, p: SmokeParams): Body {
  return {
    obscuration_pct: round(clamp(Math.abs(rng.normal(0.2, 0.15)), 0, 100), 2),
    temperature_c: temperature(s, atMs, rng),
    battery_pct: batteryPct(s, atMs, p),
    rssi_dbm: Math.round(clamp(rng.normal(-88, 8), -125, -50)),
  };
}

const heartbeat: Process<SmokeState, SmokeParams> = (s, at, rng, p) => {
  const checked = checkBattery(s, at, p);
  const emits: Emit[] = [{ atMs: at, message: 'telemetry', body: sample(s, at, rng, p) }, ...(checked.emits ?? [])];
  return { state: schedule(checked.state, 'heartbeat', at + p.heartbeatMs * (1 + (rng.float() - 0.5) * 0.02)), emits };
};

const falseAlarm: Process<SmokeState, SmokeParams> = (s, at, rng, p) => {
  const next = schedule(s, 'falseAlarm', poissonNext(p.falseAlarmsPerDay, at, rng));
  if (s.alarm || s.tampered) return { state: next };
  const emits: Emit[] = [
    { atMs: at, message: 'event', body: { event: 'alarm', obscuration_pct: round(rng.range(6, 18), 1), temperature_c: temperature(s, at, rng) } },
  ];
  // Half the time someone presses the button to silence it (消音) before the smoke clears.
  if (rng.chance(0.5)) emits.push({ atMs: at + Math.round(rng.range(20, 90) * 1000), message: 'event', body: { event: 'silenced' } });
  return { state: schedule({ ...next, alarm: true }, 'alarmClear', at + Math.round(rng.range(2, 6) * MINUTE_MS)), emits };
};

const alarmClear: Process<SmokeState, SmokeParams> = (s, at, rng) => ({
  state: { ...s, alarm: false },
  emits: [{ atMs: at, message: 'event', body: { event: 'alarm_cleared', obscuration_pct: round(clamp(rng.normal(0.4, 0.2), 0, 2), 2) } }],
});

const selfTest: Process<SmokeState, SmokeParams> = (s, at, rng, p) => ({
  state: schedule(s, 'selfTest', poissonNext(p.selfTestsPerDay, at, rng)),
  emits: s.tampered ? [] : [{ atMs: at, message: 'event', body: { event: 'self_test', battery_pct: batteryPct(s, at, p) } }],
});

const tamper: Process<SmokeState, SmokeParams> = (s, at, rng, p) => {
  const next = schedule(s, 'tamper', poissonNext(p.tampersPerDay, at, rng));
  if (s.tampered) return { state: next };
  return {
    state: schedule({ ...next, tampered: true }, 'tamperClear', at + Math.round(rng.range(10, 120) * MINUTE_MS)),
    emits: [{ atMs: at, message: 'event', body: { event: 'tamper' } }],
  };
};

const tamperClear: Process<SmokeState, SmokeParams> = (s, at) => ({
  state: { ...s, tampered: false },
  emits: [{ atMs: at, message: 'event', body: { event: 'tamper_cleared' } }],
});

export const smokeModel: Model<SmokeState, SmokeParams> = {
  kind: 'smoke',
  defaults: SMOKE_DEFAULTS,
  init(_device, rng, startMs, p) {
    const next: Record<string, number> = { heartbeat: startMs + rng.float() * p.heartbeatMs };
    const add = (name: string, at: number | null) => {
      if (at !== null) next[name] = at;
    };
    add('falseAlarm', poissonNext(p.falseAlarmsPerDay, startMs, rng));
    add('selfTest', poissonNext(p.selfTestsPerDay, startMs, rng));
    add('tamper', poissonNext(p.tampersPerDay, startMs, rng));
    return {
      tMs: startMs,
      next,
      startMs,
      battery0: round(rng.range(35, 100), 1),
      tempBaseC: rng.range(17, 26),
      lowBatterySent: false,
      alarm: false,
      tampered: false,
    };
  },
  processes: { heartbeat, falseAlarm, alarmClear, selfTest, tamper, tamperClear },
  sample,
};
