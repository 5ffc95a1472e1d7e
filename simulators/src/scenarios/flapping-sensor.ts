import { Rng, round } from '../rng.ts';
import { firstOfKind, timeline, type Scenario, type TimelineStep } from '../timeline.ts';

/**
 * A loose manhole cover rocks on its seat: tilted, cleared, tilted, cleared... every 15-45 s,
 * ten times over. A rule must not open ten tickets for it.
 */
export const flappingSensor: Scenario = {
  name: 'flapping-sensor',
  description: 'a loose cover alternates tilted / tilt_cleared every 15-45 s, ten cycles',
  build({ devices, seed, startMs }) {
    const cover = firstOfKind(devices, 'manhole');
    const rng = Rng.derive(seed, 'flapping-sensor');
    const steps: TimelineStep[] = [];
    let at = startMs;
    for (let i = 0; i < 10; i++) {
      steps.push({ atMs: at, deviceId: cover.id, action: 'publish', message: 'event', body: { event: 'tilted', tilt_deg: round(rng.range(11, 16), 1) } });
      at += Math.round(rng.range(15, 45) * 1000);
      steps.push({ atMs: at, deviceId: cover.id, action: 'publish', message: 'event', body: { event: 'tilt_cleared', tilt_deg: round(rng.range(0.5, 3), 1) } });
      at += Math.round(rng.range(15, 45) * 1000);
    }
    return timeline(this.name, startMs, steps);
  },
};
