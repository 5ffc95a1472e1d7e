import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { startHub, type Hub } from '@gridhub/hub';
import { DEMO_SITE_PATH } from '@gridhub/store';
import { tempDir, waitFor } from '@gridhub/testkit';
import { DAY_MS, Fleet, SCENARIOS, createSimClock, credentialsOf, loadDemoSite, runTimeline, type SiteDevice, type Timeline, type TimelineStep } from '../src/index.ts';

// Each scenario played against the whole hub (broker -> ingest -> spool -> embedded store) on the
// demo site; its effect is read back from the hub's store.
let hub: Hub;
let dir: string;
let devices: SiteDevice[];
const fleets: Fleet[] = [];
const START = Date.now() - 4 * DAY_MS;

beforeAll(async () => {
  dir = tempDir('sim-hub');
  hub = await startHub({ dataDir: dir, sitePath: DEMO_SITE_PATH, httpPort: 0, mqttPort: 0, httpHost: '127.0.0.1', mqttHost: '127.0.0.1', logLevel: 'silent' });
  devices = (await loadDemoSite()).devices;
});
afterEach(async () => {
  while (fleets.length) await fleets.pop()!.close({ announce: false });
});
afterAll(async () => {
  await hub?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function play(name: string, only?: SiteDevice[]): Promise<Timeline> {
  const tl = SCENARIOS[name]!.build({ devices: only ?? devices, seed: 1, startMs: START });
  const ids = new Set(tl.deviceIds);
  const fleet = new Fleet(credentialsOf(devices.filter((d) => ids.has(d.id))), { url: hub.mqttUrl, clock: createSimClock(), backoff: { initialMs: 200, maxMs: 2000 } });
  fleets.push(fleet);
  const run = await runTimeline(tl, fleet, { speed: 10_000_000, connectTimeoutMs: 60_000 });
  expect(run.failed, JSON.stringify(run.results.filter((r) => !r.ok).slice(0, 3))).toBe(0);
  return tl;
}

const publishes = (tl: Timeline) => tl.steps.filter((s): s is Extract<TimelineStep, { action: 'publish' }> => s.action === 'publish');
const count = (deviceId: string, message: 'telemetry' | 'event' | 'status') => hub.store.countReadings({ deviceId, message });

/** Counts before the run; after it, waits until every published message of the timeline is stored. */
async function expectStored(name: string, only?: SiteDevice[]): Promise<Timeline> {
  const tl = SCENARIOS[name]!.build({ devices: only ?? devices, seed: 1, startMs: START });
  const want = new Map<string, number>();
  for (const s of publishes(tl)) want.set(`${s.deviceId}|${s.message}`, (want.get(`${s.deviceId}|${s.message}`) ?? 0) + 1);
  const before = new Map<string, number>();
  for (const key of want.keys()) {
    const [id, message] = key.split('|') as [string, 'telemetry' | 'event'];
    before.set(key, await count(id, message));
  }
  await play(name, only);
  await waitFor(
    async () => {
      for (const [key, n] of want) {
        const [id, message] = key.split('|') as [string, 'telemetry' | 'event'];
        if ((await count(id, message)) < before.get(key)! + n) return false;
      }
      return true;
    },
    30_000,
    `${name}: every message stored`,
  );
  for (const [key, n] of want) {
    const [id, message] = key.split('|') as [string, 'telemetry' | 'event'];
    expect(await count(id, message), key).toBe(before.get(key)! + n);
  }
  return tl;
}

describe('scenarios against the hub (demo site)', () => {
  it('building-fire: every alarm and reading stored; each detector last said "alarm"', async () => {
    const tl = await expectStored('building-fire');
    await waitFor(async () => (await Promise.all(tl.deviceIds.map((id) => hub.store.deviceState(id)))).every((s) => s?.lastEvent === 'alarm'), 10_000, 'states');
  });

  it('lunchtime-bin-overflow: readings stored, each bin last seen at 95 % or more', async () => {
    const tl = await expectStored('lunchtime-bin-overflow');
    await waitFor(async () => (await Promise.all(tl.deviceIds.map((id) => hub.store.deviceState(id)))).every((s) => Number(s?.latest.fill_pct) >= 95), 10_000, 'fill');
  });

  it('manhole-displaced-by-truck: readings stored, the cover is left open', async () => {
    const tl = await expectStored('manhole-displaced-by-truck');
    await waitFor(async () => (await hub.store.deviceState(tl.deviceIds[0]!))?.latest.open === true, 10_000, 'open');
  });

  it('ebike-repeat-offender: all twelve events stored', async () => {
    await expectStored('ebike-repeat-offender');
  });

  it('flapping-sensor: all twenty events stored', async () => {
    await expectStored('flapping-sensor');
  });

  it('device-goes-silent: its reports stored, then the hub sees it disconnected', async () => {
    const tl = await expectStored('device-goes-silent');
    await waitFor(async () => (await hub.store.deviceState(tl.deviceIds[0]!))?.connected === false, 10_000, 'disconnected');
  });

  it('malformed-firmware: every message refused, each with its reason, in the refusals of that device', async () => {
    const tl = SCENARIOS['malformed-firmware']!.build({ devices, seed: 1, startMs: START });
    const id = tl.deviceIds[0]!;
    const t0 = Date.now();
    const telemetryBefore = await count(id, 'telemetry');
    await play('malformed-firmware');
    const raw = tl.steps.filter((s): s is Extract<TimelineStep, { action: 'raw' }> => s.action === 'raw');
    const mine = async () => (await hub.store.listRefusals({ deviceId: id, limit: 200 })).filter((r) => r.rxMs >= t0);
    await waitFor(async () => (await mine()).length >= raw.length, 20_000, 'refusals recorded');
    const got = (await mine()).map((r) => `${r.code} ${r.bytes}`).sort();
    expect(got).toEqual(raw.map((s) => `${s.expect} ${s.payload.byteLength}`).sort());
    for (const r of await mine()) expect(r.reason.length).toBeGreaterThan(0);
    expect(await count(id, 'telemetry')).toBe(telemetryBefore);
  });

  it('reconnect-storm: every demo device drops and comes back; its reading after the cut is stored', async () => {
    const tl = await expectStored('reconnect-storm');
    await waitFor(async () => (await Promise.all(tl.deviceIds.map((id) => hub.store.deviceState(id)))).every((s) => s?.connected === true), 30_000, 'all connected again');
  });
});
