import { MINUTE_MS, atLocalHour, dayIndex } from '../clock.ts';
import { Rng, round } from '../rng.ts';
import { firstOfKind, timeline, type Scenario, type TimelineStep } from '../timeline.ts';

/**
 * One resident takes an e-bike up to their flat every morning and evening for three days: the
 * same camera, the same floor, high confidence, the door held each time until the bike leaves.
 */
export const ebikeRepeatOffender: Scenario = {
  name: 'ebike-repeat-offender',
  description: 'the same rider, floor and camera at 07:40 and 18:20 for three days (6 detections)',
  build({ devices, seed, startMs }) {
    const camera = firstOfKind(devices, 'ebike');
    const rng = Rng.derive(seed, 'ebike-repeat-offender');
    const floor = Math.max(2, Math.min(camera.buildingFloors ?? 12, rng.int(3, 18)));
    const day0 = dayIndex(startMs);
    const steps: TimelineStep[] = [];
    for (let day = 0; day < 3; day++) {
      for (const hour of [7 + 40 / 60, 18 + 20 / 60]) {
        const at = atLocalHour(day0 + day, hour) + Math.round(rng.range(-10, 10) * MINUTE_MS);
        const confidence = round(rng.range(0.92, 0.99), 3);
        // Going out in the morning the bike comes down from home; in the evening it enters below.
        const seenAt = hour < 12 ? floor : 1;
        steps.push({ atMs: at, deviceId: camera.id, action: 'publish', message: 'event', body: { event: 'ebike_detected', confidence, floor: seenAt, door_held: true } });
        steps.push({ atMs: at + Math.round(rng.range(60, 150) * 1000), deviceId: camera.id, action: 'publish', message: 'event', body: { event: 'ebike_left', confidence, floor: seenAt, door_held: false } });
      }
    }
    return timeline(this.name, atLocalHour(day0, 0), steps);
  },
};
