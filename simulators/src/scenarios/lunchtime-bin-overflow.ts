import { HubError } from '@gridhub/core';
import { MINUTE_MS, atLocalHour, dayIndex } from '../clock.ts';
import { Rng, clamp, round } from '../rng.ts';
import { largestGroup, timeline, type Scenario, type TimelineStep } from '../timeline.ts';

/**
 * Lunchtime in one estate: from 11:00 to 13:30 the bins of the busiest estate fill fast (takeaway
 * boxes) until they overflow at 100 %; one reports a sudden change as a bag is stuffed on top.
 */
export const lunchtimeBinOverflow: Scenario = {
  name: 'lunchtime-bin-overflow',
  description: "an estate's bins fill from about half to overflowing between 11:00 and 13:30",
  build({ devices, seed, startMs }) {
    const bins = largestGroup(devices, 'bin', (d) => d.estateId).slice(0, 4);
    if (bins.length === 0) throw new HubError('HUB_ERR_NOT_FOUND', ['an estate with bins']);
    const rng = Rng.derive(seed, 'lunchtime-bin-overflow');
    const t0 = atLocalHour(dayIndex(startMs), 11);
    const steps: TimelineStep[] = [];
    for (const bin of bins) {
      let fill = rng.range(40, 60);
      const perStep = rng.range(5, 9);
      for (let k = 0; k <= 15; k++) {
        const at = t0 + k * 10 * MINUTE_MS + Math.round(rng.range(0, 30_000));
        const body: Record<string, number | boolean> = { fill_pct: round(fill, 1), temperature_c: round(rng.range(24, 30), 1), tilted: false, battery_pct: 80 };
        if (bin.binDepthMm !== null) body.distance_mm = Math.round((bin.sensorOffsetMm ?? 0) + (1 - fill / 100) * bin.binDepthMm);
        steps.push({ atMs: at, deviceId: bin.id, action: 'publish', message: 'telemetry', body });
        fill = clamp(fill + perStep + rng.normal(0, 1), 0, 100);
      }
    }
    const first = bins[0]!;
    steps.push({ atMs: t0 + 75 * MINUTE_MS + 5000, deviceId: first.id, action: 'publish', message: 'event', body: { event: 'sudden_change', fill_pct: 97 } });
    return timeline(this.name, t0, steps);
  },
};
