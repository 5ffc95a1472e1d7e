import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { startHub, type Hub } from '@gridhub/hub';
import type { Ticket } from '@gridhub/core';
import { tempDir, waitFor } from '@gridhub/testkit';
import { DAY_MS, Fleet, MINUTE_MS, SCENARIOS, createSimClock, credentialsOf, loadDemoSite, runTimeline, type SiteDevice, type Timeline, type TimelineStep } from '../src/index.ts';
import { loginAs, type ApiSession } from './hub-api.ts';

// Each scenario played against the whole hub (broker -> ingest -> spool -> embedded store -> rules
// engine) on the demo site; its readings are read back from the hub's store and the tickets it
// must open from the hub's API, as the demo operator (and, for the fire, as the warden on duty).
// The scenarios play in simulated time four days ago at x10^7: the rules engine judges `for`
// windows on the devices' clocks (sample times), the liveness rule on the hub's clock.
let hub: Hub;
let dir: string;
let devices: SiteDevice[];
let operator: ApiSession;
const fleets: Fleet[] = [];
const START = Date.now() - 4 * DAY_MS;

beforeAll(async () => {
  dir = tempDir('sim-hub');
  // No site file: the empty store takes the demo site and its demo users (password demo-<username>).
  hub = await startHub({ dataDir: dir, sitePath: null, httpPort: 0, mqttPort: 0, httpHost: '127.0.0.1', mqttHost: '127.0.0.1', logLevel: 'silent', adminPassword: 'sim-test-admin' });
  expect(hub.demoSite).toBe(true);
  devices = (await loadDemoSite()).devices;
  operator = await loginAs(hub, 'operator');
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

const build = (name: string, only?: SiteDevice[]) => SCENARIOS[name]!.build({ devices: only ?? devices, seed: 1, startMs: START });
/** The demo devices none of `names` uses, so that a scenario's tickets are its own. */
const apart = (...names: string[]) => {
  const used = new Set(names.flatMap((n) => build(n).deviceIds));
  return devices.filter((d) => !used.has(d.id));
};
const ofRule = (list: Ticket[], ruleId: string) => list.filter((t) => t.ruleId === ruleId);
const ticketsOf = async (ids: readonly string[], who = operator) => (await Promise.all(ids.map((id) => who.tickets(`device=${id}`)))).flat();
/** A rule in force, as the rules API resolves it (levels, `for` in ms, counts). */
const ruleInForce = async (id: string): Promise<Record<string, any>> => (await operator.call('GET', '/api/rules')).body.rules.find((r: { id: string }) => r.id === id);

describe('scenarios against the hub (demo site): readings, refusals and the tickets they open', () => {
  it('building-fire: alarms stored; one P1 "confirmed fire" incident grouping a ticket per detector, dispatched to the on-duty warden, who sees it', async () => {
    const detectors = devices.filter((d) => build('building-fire').deviceIds.includes(d.id));
    const gridId = detectors[0]!.gridId;
    expect(detectors.every((d) => d.gridId === gridId && d.buildingId === detectors[0]!.buildingId)).toBe(true);
    const onDuty = (await hub.store.listWardens(gridId)).filter((w) => w.role !== 'grid_leader').at(-1)!;
    const now = Date.now();
    expect((await operator.call('POST', '/api/rosters', { shifts: [{ gridId, wardenId: onDuty.id, fromMs: now - 3_600_000, toMs: now + 8 * 3_600_000 }] })).status).toBe(200);

    const tl = await expectStored('building-fire');
    await waitFor(async () => (await Promise.all(tl.deviceIds.map((id) => hub.store.deviceState(id)))).every((s) => s?.lastEvent === 'alarm'), 10_000, 'states');
    await waitFor(async () => {
      const list = await ticketsOf(tl.deviceIds);
      return list.length === tl.deviceIds.length && list.every((t) => t.incidentId !== null);
    }, 20_000, 'a ticket per detector, all in one incident');
    const tickets = await ticketsOf(tl.deviceIds);
    expect(tickets.map((t) => [t.deviceId, t.ruleId, t.priority, t.status, t.assigneeId]).sort()).toEqual(tl.deviceIds.map((id) => [id, 'smoke.alarm', 'P1', 'dispatched', onDuty.id]).sort());
    expect(new Set(tickets.map((t) => t.incidentId)).size).toBe(1);
    const { incident } = await operator.ticket(tickets[0]!.id);
    expect(incident).toMatchObject({ kind: 'confirmed_fire', priority: 'P1', buildingId: detectors[0]!.buildingId, gridId });
    expect([...incident!.ticketIds].sort()).toEqual(tickets.map((t) => t.id).sort());

    // The warden on duty sees the whole incident, each ticket assigned to them.
    const warden = await loginAs(hub, onDuty.id);
    const theirs = await warden.tickets(`incident=${tickets[0]!.incidentId}`);
    expect(theirs.map((t) => [t.id, t.assigneeId]).sort()).toEqual(tickets.map((t) => [t.id, onDuty.id]).sort());
    expect((await warden.call('GET', `/api/tickets/${tickets[0]!.id}`)).status).toBe(200);
  });

  it('lunchtime-bin-overflow: readings stored; a P3 "collect soon" once a bin has held the level for 10 min (device clock), a P2 "full" at 95 %', async () => {
    const [soonRule, fullRule] = [await ruleInForce('bin.collect_soon'), await ruleInForce('bin.full')];
    expect([soonRule.set, soonRule.forMs, soonRule.priority, fullRule.set, fullRule.priority]).toEqual([80, 10 * MINUTE_MS, 'P3', 95, 'P2']);
    const tl = await expectStored('lunchtime-bin-overflow');
    await waitFor(async () => (await Promise.all(tl.deviceIds.map((id) => hub.store.deviceState(id)))).every((s) => Number(s?.latest.fill_pct) >= 95), 10_000, 'fill');
    // What each bin must open, from its own readings: the first sample at the level starts the
    // window; the first sample `for` later still at the level fires it.
    const want = tl.deviceIds.map((id) => {
      const fills = publishes(tl).filter((s) => s.deviceId === id && s.message === 'telemetry');
      const from = fills.findIndex((s) => Number(s.body.fill_pct) >= soonRule.set);
      expect(fills.slice(from).every((s) => Number(s.body.fill_pct) >= soonRule.set), `${id} stays at the level`).toBe(true);
      const soon = fills.find((s, j) => j > from && s.atMs - fills[from]!.atMs >= soonRule.forMs)!;
      const full = fills.find((s) => Number(s.body.fill_pct) >= fullRule.set)!;
      return { id, soonAt: soon.atMs, fullAt: full.atMs };
    });
    await waitFor(async () => {
      const list = await ticketsOf(tl.deviceIds);
      return tl.deviceIds.every((id) => list.filter((t) => t.deviceId === id).length >= 2);
    }, 20_000, 'two tickets per bin');
    const tickets = await ticketsOf(tl.deviceIds);
    for (const w of want) {
      const mine = tickets.filter((t) => t.deviceId === w.id);
      expect(mine.map((t) => [t.ruleId, t.priority, t.firstSeenMs, t.occurrences]).sort(), w.id).toEqual([
        ['bin.collect_soon', 'P3', w.soonAt, 1],
        ['bin.full', 'P2', w.fullAt, 1],
      ]);
    }
  });

  it('manhole-displaced-by-truck: readings stored; P1 for the open cover and for the tilt held 2 s; none for the spikes shorter than 2 s', async () => {
    const tiltRule = await ruleInForce('manhole.tilt');
    const tl = await expectStored('manhole-displaced-by-truck');
    const id = tl.deviceIds[0]!;
    await waitFor(async () => (await hub.store.deviceState(id))?.latest.open === true, 10_000, 'open');
    const p = publishes(tl);
    const hit = p.find((s) => s.body.event === 'tilted')!.atMs;
    // The spikes cross the tilt level: only the rule's `for` keeps them quiet.
    expect(p.filter((s) => s.atMs < hit && Number(s.body.tilt_deg) >= tiltRule.set).length).toBeGreaterThan(0);
    await waitFor(async () => (await ticketsOf([id])).length >= 2, 20_000, 'open and tilt tickets');
    const tickets = await ticketsOf([id]);
    expect(tickets.map((t) => [t.ruleId, t.priority]).sort()).toEqual([['manhole.open', 'P1'], ['manhole.tilt', 'P1']]);
    expect(ofRule(tickets, 'manhole.open')[0]!.firstSeenMs).toBe(p.find((s) => s.body.event === 'opened')!.atMs);
    const tilt = (await operator.ticket(ofRule(tickets, 'manhole.tilt')[0]!.id)).occurrences;
    expect(tilt).toHaveLength(1);
    expect(tilt[0]!.atMs).toBeGreaterThanOrEqual(hit + tiltRule.forMs);
  });

  it('ebike-repeat-offender: all events stored; a P2 per detection (an occurrence each on the one open ticket) and one P2 follow-up visit for the unit', async () => {
    const [detRule, repeatRule] = [await ruleInForce('ebike.detected'), await ruleInForce('ebike.repeat')];
    const tl = await expectStored('ebike-repeat-offender');
    const camera = devices.find((d) => d.id === tl.deviceIds[0])!;
    const detections = publishes(tl).filter((s) => s.body.event === 'ebike_detected' && Number(s.body.confidence) >= detRule.where.min);
    expect(detections.length).toBeGreaterThanOrEqual(repeatRule.count);
    await waitFor(async () => {
      const list = await ticketsOf([camera.id]);
      return ofRule(list, 'ebike.detected')[0]?.occurrences === detections.length && ofRule(list, 'ebike.repeat').length === 1;
    }, 20_000, 'a detection ticket with every detection, and the follow-up visit');
    const tickets = await ticketsOf([camera.id]);
    expect(tickets.map((t) => [t.ruleId, t.priority]).sort()).toEqual([['ebike.detected', 'P2'], ['ebike.repeat', 'P2']]);
    const seen = (await operator.ticket(ofRule(tickets, 'ebike.detected')[0]!.id)).occurrences.map((o) => o.atMs).sort((a, b) => a - b);
    expect(seen).toEqual(detections.map((s) => s.atMs));
    const visit = ofRule(tickets, 'ebike.repeat')[0]!;
    expect(visit.subjectKey).toBe(camera.unitId ? `unit:${camera.unitId}` : camera.id);
    expect([visit.firstSeenMs, visit.occurrences]).toEqual([detections[repeatRule.count - 1]!.atMs, 1]);
  });

  it('flapping-sensor: all events stored; one ticket whose occurrences are the flaps, not a ticket per flap', async () => {
    const tiltRule = await ruleInForce('manhole.tilt');
    const tl = await expectStored('flapping-sensor', apart('manhole-displaced-by-truck'));
    const id = tl.deviceIds[0]!;
    const p = publishes(tl);
    // A flap: tilted past the level and left so (by the device's clock) for the rule's `for`.
    const flaps = p.filter((s, i) => s.body.event === 'tilted' && Number(s.body.tilt_deg) >= tiltRule.set && (p[i + 1]?.atMs ?? Infinity) - s.atMs >= tiltRule.forMs);
    expect(flaps.length).toBeGreaterThan(1);
    await waitFor(async () => (await ticketsOf([id]))[0]?.occurrences === flaps.length && (await ticketsOf([id]))[0]?.conditionClearedMs !== null, 20_000, 'one ticket per flapping cover');
    const tickets = await ticketsOf([id]);
    expect(tickets.map((t) => [t.ruleId, t.priority, t.occurrences])).toEqual([['manhole.tilt', 'P1', flaps.length]]);
    const occ = (await operator.ticket(tickets[0]!.id)).occurrences;
    expect(occ).toHaveLength(flaps.length);
  });

  it('device-goes-silent: reports stored, the hub sees it disconnected, and the liveness ticket (offline) opens (short thresholds put through the rules API)', async () => {
    const tl = build('device-goes-silent');
    const device = devices.find((d) => d.id === tl.deviceIds[0])!;
    const ruleId = `${device.kind}.offline`;
    // The shipped defaults wait a minute after the last will (and hours of silence): this device
    // gets short ones through the rules API for the test, and the defaults come back after it.
    const put = await operator.call('PUT', '/api/rules', { version: 1, overrides: [{ device: device.id, rules: { [ruleId]: { late_after: '2s', offline_after: '4s', will_grace: '1s' } } }] });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    try {
      await expectStored('device-goes-silent');
      await waitFor(async () => (await hub.store.deviceState(device.id))?.connected === false, 10_000, 'disconnected');
      await waitFor(async () => ofRule(await ticketsOf([device.id]), ruleId).length === 1, 20_000, 'the offline ticket');
      const tickets = await ticketsOf([device.id]);
      expect(tickets.map((t) => [t.ruleId, t.priority, t.occurrences])).toEqual([[ruleId, 'P3', 1]]);
      expect(tickets[0]!.assigneeId).not.toBeNull();
    } finally {
      expect((await operator.call('PUT', '/api/rules', { version: 1 })).status).toBe(200);
    }
  });

  it('malformed-firmware: every message refused, each with its reason, in the refusals of that device; no ticket', async () => {
    const only = apart('building-fire', 'lunchtime-bin-overflow', 'manhole-displaced-by-truck', 'ebike-repeat-offender', 'device-goes-silent', 'flapping-sensor');
    const tl = build('malformed-firmware', only);
    const id = tl.deviceIds[0]!;
    const t0 = Date.now();
    const telemetryBefore = await count(id, 'telemetry');
    await play('malformed-firmware', only);
    const raw = tl.steps.filter((s): s is Extract<TimelineStep, { action: 'raw' }> => s.action === 'raw');
    const mine = async () => (await hub.store.listRefusals({ deviceId: id, limit: 200 })).filter((r) => r.rxMs >= t0);
    await waitFor(async () => (await mine()).length >= raw.length, 20_000, 'refusals recorded');
    const got = (await mine()).map((r) => `${r.code} ${r.bytes}`).sort();
    expect(got).toEqual(raw.map((s) => `${s.expect} ${s.payload.byteLength}`).sort());
    for (const r of await mine()) expect(r.reason.length).toBeGreaterThan(0);
    expect(await count(id, 'telemetry')).toBe(telemetryBefore);
    expect(await ticketsOf([id])).toEqual([]);
  });

  it('reconnect-storm: every demo device drops and comes back online; its reading after the cut is stored; no duplicate ticket', async () => {
    const before = await operator.tickets();
    const tl = await expectStored('reconnect-storm');
    await waitFor(async () => (await Promise.all(tl.deviceIds.map((id) => hub.store.deviceState(id)))).every((s) => s?.connected === true), 30_000, 'all connected again');
    await waitFor(() => hub.rules.backlog() === 0, 20_000, 'the rules engine has every reading');
    const listed = (await operator.call('GET', '/api/devices?limit=1000')).body.items as { id: string; liveness: string; state: { connected: boolean } | null }[];
    const down = listed.filter((d) => tl.deviceIds.includes(d.id) && (d.state?.connected !== true || d.liveness === 'offline'));
    expect(down.map((d) => `${d.id} ${d.liveness}`)).toEqual([]);
    const after = await operator.tickets();
    const open = after.filter((t) => t.status !== 'closed').map((t) => `${t.ruleId}|${t.subjectKey}`);
    expect(open.length).toBe(new Set(open).size);
    // Nobody is reported offline by a minute's power cut.
    expect(after.filter((t) => !before.some((b) => b.id === t.id) && t.ruleId.endsWith('.offline')).map((t) => t.deviceId)).toEqual([]);
  });
});
