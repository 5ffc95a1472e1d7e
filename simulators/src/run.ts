import { createSimClock } from './clock.ts';
import { Fleet } from './fleet.ts';
import { DEMO_PARAMS, FIELD_PARAMS } from './models/index.ts';
import { startProgress } from './progress.ts';
import { SCENARIOS } from './scenarios/index.ts';
import { startSimulation } from './simulate.ts';
import { credentialsOf, type SiteDevice } from './site.ts';
import { runTimeline, type TimelineRun } from './timeline.ts';

export interface RunOptions {
  url: string;
  devices: readonly SiteDevice[];
  speed: number;
  seed: number;
  tempo: 'demo' | 'field';
  telemetryQos: 0 | 1;
  /** Real ms; undefined = until `signal` aborts. */
  durationMs?: number;
  progress: boolean;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

const until = (ms: number | undefined, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = ms === undefined ? null : setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      if (timer) clearTimeout(timer);
      resolve();
    });
  });

/** The continuous simulation of a site (CLI and `npm run demo`): connect all, let the models talk. */
export async function runSite(o: RunOptions): Promise<{ connectMs: number; emitted: number; fleet: Fleet }> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const fleet = new Fleet(credentialsOf(o.devices), { url: o.url, clock: createSimClock({ speed: o.speed }), telemetryQos: o.telemetryQos, fw: 'gridhub-sim/1' });
  const progress = o.progress ? startProgress(fleet.stats, { total: o.devices.length }) : null;
  try {
    const { connectMs } = await fleet.connectAll();
    log(`${o.devices.length} devices connected in ${connectMs} ms; simulating at x${o.speed} (${o.tempo} tempo)`);
    const sim = startSimulation({ fleet, devices: o.devices, seed: o.seed, params: o.tempo === 'demo' ? DEMO_PARAMS : FIELD_PARAMS });
    await until(o.durationMs, o.signal);
    sim.stop();
    return { connectMs, emitted: sim.emitted, fleet };
  } finally {
    progress?.stop();
    await fleet.close();
  }
}

/** Plays one named scenario on a site and reports each step's outcome. */
export async function runScenario(name: string, o: Omit<RunOptions, 'durationMs' | 'tempo'> & { startMs?: number }): Promise<TimelineRun> {
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`unknown scenario ${name}; one of: ${Object.keys(SCENARIOS).join(', ')}`);
  const startMs = o.startMs ?? Date.now();
  const tl = scenario.build({ devices: o.devices, seed: o.seed, startMs });
  const ids = new Set(tl.deviceIds);
  const fleet = new Fleet(credentialsOf(o.devices.filter((d) => ids.has(d.id))), { url: o.url, clock: createSimClock({ startMs, speed: o.speed }), telemetryQos: o.telemetryQos });
  const progress = o.progress ? startProgress(fleet.stats, { total: ids.size }) : null;
  try {
    return await runTimeline(tl, fleet, { speed: o.speed });
  } finally {
    progress?.stop();
    await fleet.close({ announce: false });
  }
}
