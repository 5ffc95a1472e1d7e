import { MINUTE_MS } from '../clock.ts';
import { Rng, round } from '../rng.ts';
import { firstOfKind, timeline, type Scenario, type TimelineStep } from '../timeline.ts';

/**
 * A heavy truck: first the usual short vibration spikes (past the 10-degree tilt level but for
 * under 2 s, back to rest: no ticket), then the cover is knocked askew and left open; it stays
 * displaced, reporting every five minutes.
 */
export const manholeDisplacedByTruck: Scenario = {
  name: 'manhole-displaced-by-truck',
  description: 'vibration spikes past 10 degrees for under 2 s, then a cover tilted 35 degrees and open that stays so',
  build({ devices, seed, startMs }) {
    const cover = firstOfKind(devices, 'manhole');
    const rng = Rng.derive(seed, 'manhole-displaced-by-truck');
    const rest = round(rng.range(0.3, 1.2), 1);
    const water = round(rng.range(10, 30), 1);
    const reading = (tilt: number, open: boolean) => ({ tilt_deg: tilt, open, water_level_cm: water, battery_pct: 88 });
    const steps: TimelineStep[] = [];
    for (let i = 0; i < 3; i++) {
      const at = startMs + i * 10_000;
      const settle = Math.round(rng.range(400, 1800));
      steps.push({ atMs: at, deviceId: cover.id, action: 'publish', message: 'telemetry', body: reading(round(rng.range(10.5, 14), 1), false) });
      steps.push({ atMs: at + settle, deviceId: cover.id, action: 'publish', message: 'telemetry', body: reading(rest, false) });
    }
    const hit = startMs + 40_000;
    const tilt = round(rng.range(30, 40), 1);
    steps.push({ atMs: hit, deviceId: cover.id, action: 'publish', message: 'event', body: { event: 'tilted', tilt_deg: tilt } });
    steps.push({ atMs: hit + 300, deviceId: cover.id, action: 'publish', message: 'event', body: { event: 'opened', tilt_deg: tilt } });
    for (let k = 1; k <= 4; k++) {
      steps.push({ atMs: hit + k * 5 * MINUTE_MS, deviceId: cover.id, action: 'publish', message: 'telemetry', body: reading(tilt, true) });
    }
    return timeline(this.name, startMs, steps);
  },
};
