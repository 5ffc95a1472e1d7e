import { HubError } from '@gridhub/core';
import { MINUTE_MS } from '../clock.ts';
import { Rng, round } from '../rng.ts';
import { largestGroup, timeline, type Scenario, type TimelineStep } from '../timeline.ts';

/**
 * Fire in a stairwell: smoke rises, so the detectors of one unit (单元) go off one floor after
 * another, a minute apart (simulated time); each keeps reporting a thickening obscuration.
 */
export const buildingFire: Scenario = {
  name: 'building-fire',
  description: 'several smoke alarms of one stairwell go off a minute apart, lowest floor first',
  build({ devices, seed, startMs }) {
    const unit = largestGroup(devices, 'smoke', (d) => (d.buildingId && d.unitId ? `${d.buildingId}/${d.unitId}` : null));
    if (unit.length < 2) throw new HubError('HUB_ERR_NOT_FOUND', ['a stairwell with two or more smoke alarms']);
    const detectors = unit.sort((a, b) => (a.floor ?? 0) - (b.floor ?? 0) || a.id.localeCompare(b.id)).slice(0, 6);
    const rng = Rng.derive(seed, 'building-fire');
    const steps: TimelineStep[] = [];
    detectors.forEach((d, i) => {
      const at = startMs + i * MINUTE_MS;
      const obscuration = round(rng.range(8, 12) + 3 * i, 1);
      const temperature = round(rng.range(28, 34) + 4 * i, 1);
      steps.push({ atMs: at, deviceId: d.id, action: 'publish', message: 'event', body: { event: 'alarm', obscuration_pct: obscuration, temperature_c: temperature } });
      for (let k = 1; k <= 2; k++) {
        steps.push({
          atMs: at + k * 20_000,
          deviceId: d.id,
          action: 'publish',
          message: 'telemetry',
          body: { obscuration_pct: round(obscuration + 5 * k, 1), temperature_c: round(temperature + 3 * k, 1), battery_pct: round(rng.range(60, 95), 1) },
        });
      }
    });
    return timeline(this.name, startMs, steps);
  },
};
