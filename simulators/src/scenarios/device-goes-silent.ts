import { HOUR_MS } from '../clock.ts';
import { FIELD_PARAMS, DeviceBehaviour } from '../models/index.ts';
import { firstOfKind, timeline, type Scenario, type TimelineStep } from '../timeline.ts';

/**
 * A device reports normally three times, then its battery or radio dies: the connection drops
 * without a goodbye (the broker publishes its will) and nothing more comes from it.
 */
export const deviceGoesSilent: Scenario = {
  name: 'device-goes-silent',
  description: 'three hourly reports, then the connection dies without a DISCONNECT and nothing follows',
  build({ devices, seed, startMs }) {
    const device = firstOfKind(devices, 'smoke', true);
    const behaviour = new DeviceBehaviour(device, seed, startMs, FIELD_PARAMS);
    const steps: TimelineStep[] = [0, 1, 2].map((k) => ({
      atMs: startMs + k * HOUR_MS,
      deviceId: device.id,
      action: 'publish',
      message: 'telemetry',
      body: behaviour.sample(startMs + k * HOUR_MS),
    }));
    steps.push({ atMs: startMs + 2 * HOUR_MS + 60_000, deviceId: device.id, action: 'drop' });
    return timeline(this.name, startMs, steps);
  },
};
