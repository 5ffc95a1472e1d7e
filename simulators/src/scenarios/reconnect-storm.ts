import { HubError } from '@gridhub/core';
import { FIELD_PARAMS, DeviceBehaviour } from '../models/index.ts';
import { timeline, type Scenario, type TimelineStep } from '../timeline.ts';

export const POWER_CUT_MS = 60_000;

/**
 * A power cut: every device's connection dies at once (the wills fire), power returns a minute
 * later and every device knocks at the same instant, then sends the reading it took meanwhile.
 */
export const reconnectStorm: Scenario = {
  name: 'reconnect-storm',
  description: 'every device drops at once, then all reconnect at the same instant and report',
  build({ devices, seed, startMs }) {
    if (devices.length === 0) throw new HubError('HUB_ERR_NOT_FOUND', ['a device']);
    const sorted = [...devices].sort((a, b) => a.id.localeCompare(b.id));
    const back = startMs + POWER_CUT_MS;
    const steps: TimelineStep[] = [];
    for (const d of sorted) {
      steps.push({ atMs: startMs, deviceId: d.id, action: 'drop' });
      steps.push({ atMs: back, deviceId: d.id, action: 'connect' });
      const body = new DeviceBehaviour(d, seed, startMs, FIELD_PARAMS).sample(back + 1);
      steps.push({ atMs: back + 1, deviceId: d.id, action: 'publish', message: 'telemetry', body, qos: 1 });
    }
    return timeline(this.name, startMs, steps);
  },
};
