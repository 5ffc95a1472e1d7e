import { HubError, type HubErrorCode, type MessageKind } from '@gridhub/core';
import { simToRealMs } from './clock.ts';
import type { Fleet } from './fleet.ts';
import type { Body } from './models/types.ts';
import type { SiteDevice } from './site.ts';

/** One scripted thing a device does at a simulated instant. */
export type TimelineStep =
  | { atMs: number; deviceId: string; action: 'publish'; message: MessageKind; body: Body; qos?: 0 | 1 }
  /** Bytes sent as they are, and the refusal the hub must record for them. */
  | { atMs: number; deviceId: string; action: 'raw'; message: MessageKind; payload: Uint8Array; expect: HubErrorCode; what: string }
  /** Abrupt loss: the broker publishes the device's will. */
  | { atMs: number; deviceId: string; action: 'drop' }
  | { atMs: number; deviceId: string; action: 'connect' };

export interface Timeline {
  scenario: string;
  startMs: number;
  endMs: number;
  /** Every device the scenario uses. */
  deviceIds: string[];
  steps: TimelineStep[];
}

export interface ScenarioContext {
  devices: readonly SiteDevice[];
  seed: number;
  /** Simulated epoch ms the scenario starts at (its day sets the time of day). */
  startMs: number;
}

export interface Scenario {
  name: string;
  description: string;
  build(ctx: ScenarioContext): Timeline;
}

export function timeline(scenario: string, startMs: number, steps: TimelineStep[]): Timeline {
  const sorted = [...steps].sort((a, b) => a.atMs - b.atMs);
  const ids = [...new Set(sorted.map((s) => s.deviceId))];
  return { scenario, startMs, endMs: sorted.at(-1)?.atMs ?? startMs, deviceIds: ids, steps: sorted };
}

export interface StepResult {
  step: TimelineStep;
  ok: boolean;
  seq?: number;
  error?: string;
}

export interface TimelineRun {
  results: StepResult[];
  published: number;
  failed: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Plays a timeline on a fleet: connects its devices (unless a device's first step is `connect`),
 * waits between steps at `speed` simulated ms per real ms, stamps each payload with the step's own
 * simulated time, and resolves once every publish is acknowledged (or failed).
 */
export async function runTimeline(tl: Timeline, fleet: Fleet, opts: { speed: number; connectTimeoutMs?: number }): Promise<TimelineRun> {
  const firstAction = new Map<string, string>();
  for (const s of tl.steps) if (!firstAction.has(s.deviceId)) firstAction.set(s.deviceId, s.action);
  const upFront = tl.deviceIds.filter((id) => firstAction.get(id) !== 'connect');
  await fleet.connectAll({ ids: upFront, timeoutMs: opts.connectTimeoutMs ?? 60_000 });

  const t0 = performance.now();
  const pending: Promise<StepResult>[] = [];
  const perDevice = new Map<string, Promise<StepResult>[]>();
  for (const step of tl.steps) {
    await sleep(simToRealMs(step.atMs - tl.startMs, opts.speed) - (performance.now() - t0));
    const d = fleet.device(step.deviceId);
    const settle = (p: Promise<number | void>) => {
      const r = p.then(
        (seq) => ({ step, ok: true, ...(typeof seq === 'number' ? { seq } : {}) }),
        (err: unknown) => ({ step, ok: false, error: err instanceof Error ? err.message : String(err) }),
      );
      pending.push(r);
      perDevice.set(step.deviceId, [...(perDevice.get(step.deviceId) ?? []), r]);
    };
    switch (step.action) {
      case 'publish':
        settle(d.publish(step.message, step.body, { tsMs: step.atMs, ...(step.qos !== undefined ? { qos: step.qos } : {}) }));
        break;
      case 'raw':
        settle(d.publishRaw(step.message, step.payload));
        break;
      case 'drop':
        // What the device sent before it died was delivered (at x10^7 the acks are still on their way).
        await Promise.all(perDevice.get(step.deviceId) ?? []);
        d.drop();
        break;
      case 'connect':
        settle(d.start());
        break;
    }
  }
  const results = await Promise.all(pending);
  return { results, published: results.filter((r) => r.ok && r.step.action !== 'connect').length, failed: results.filter((r) => !r.ok).length };
}

// ---- helpers the scenarios share ----

/** Devices of one kind, grouped by a key, the largest group first (ties by key, for determinism). */
export function largestGroup(devices: readonly SiteDevice[], kind: SiteDevice['kind'], key: (d: SiteDevice) => string | null): SiteDevice[] {
  const groups = new Map<string, SiteDevice[]>();
  for (const d of devices) {
    const k = d.kind === kind ? key(d) : null;
    if (k === null) continue;
    const g = groups.get(k) ?? [];
    g.push(d);
    groups.set(k, g);
  }
  const best = [...groups.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))[0];
  return best ? [...best[1]].sort((a, b) => a.id.localeCompare(b.id)) : [];
}

/** The first device (by id) of `kind`, or with `orAny` of any kind; a coded error when the site has none. */
export function firstOfKind(devices: readonly SiteDevice[], kind: SiteDevice['kind'], orAny = false): SiteDevice {
  const sorted = [...devices].sort((a, b) => a.id.localeCompare(b.id));
  const found = sorted.find((d) => d.kind === kind) ?? (orAny ? sorted[0] : undefined);
  if (!found) throw new HubError('HUB_ERR_NOT_FOUND', [orAny ? 'a device' : `a device of kind ${kind}`]);
  return found;
}
