import { sql } from 'kysely';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reading, Warden } from '@gridhub/core';
import { createStore, readCursor, type SqlHubStore } from '@gridhub/store';
import { tempDir } from '@gridhub/testkit';
import { buildRuleSet } from '../src/config/ruleset.ts';
import { createRulesEngine } from '../src/engine.ts';
import type { HubEvent } from '@gridhub/core';

const T0 = Date.parse('2025-03-03T10:00:00+08:00');
const MIN = 60_000;
const wardens: Warden[] = [
  { id: 'leader-a', name: '网格长', phone: '13800000001', role: 'grid_leader', gridId: 'ga' },
  { id: 'warden-a1', name: '专职', phone: '13800000002', role: 'full_time', gridId: 'ga' },
  { id: 'warden-a2', name: '兼职', phone: '13800000003', role: 'part_time', gridId: 'ga' },
];
const place = (building: string) => ({ street: 'st1', community: 'cm1', grid: 'ga', estate: 'hy', building, unit: 'u1' });
let seq = 0;
const smokeAlarm = (deviceId: string, tsMs: number, building = 'b01'): Reading => ({
  deviceId, kind: 'smoke', message: 'event', tsMs, seq: ++seq, rxMs: tsMs, place: place(building), fields: { event: 'alarm', obscuration_pct: 12 },
});

describe('rules engine over a real SQLite store', () => {
  let dir: string;
  let store: SqlHubStore;
  let now = T0;
  /** Every event the engine committed, read back from the event log. */
  const logged = async (): Promise<HubEvent[]> => (await store.eventLog.readAfter(0, 1_000_000)).map((l) => l.event);
  const make = () =>
    createRulesEngine({
      db: store.db as never,
      rules: buildRuleSet({ version: 1 }),
      clock: () => now,
      eventLog: store.eventLog,
      wardens: async (gridId) => wardens.filter((w) => w.gridId === gridId),
      officers: async () => [
        { id: 'officer-cm1', name: '陈建国', phone: '139 0000 0001', level: 'community', placeId: 'cm1' },
        { id: 'officer-cm9', name: '别的社区', phone: '139 0000 0009', level: 'community', placeId: 'cm9' },
      ],
    });

  beforeAll(async () => {
    dir = tempDir('rules-engine');
    store = await createStore({ dataDir: dir });
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('three smoke alarms in one building within a minute -> one P1 fire incident, three tickets, dispatched to the on-duty warden', async () => {
    const engine = await make();
    await engine.tickets.addShifts([{ gridId: 'ga', wardenId: 'warden-a2', fromMs: T0 - 60 * MIN, toMs: T0 + 8 * 60 * MIN }]);
    // Another building's alarm does not join.
    await engine.ingest([smokeAlarm('smk-b02', now, 'b02')]);
    for (const [i, id] of ['smk-1', 'smk-2', 'smk-3'].entries()) {
      now = T0 + i * 25_000;
      await engine.ingest([smokeAlarm(id, now)]);
    }
    const tickets = (await engine.tickets.list({ ruleId: 'smoke.alarm' })).filter((t) => t.place.building === 'b01');
    expect(tickets).toHaveLength(3);
    expect(tickets.every((t) => t.status === 'dispatched' && t.assigneeId === 'warden-a2' && t.priority === 'P1')).toBe(true);
    const incidentIds = new Set(tickets.map((t) => t.incidentId));
    expect(incidentIds.size).toBe(1);
    const incident = await engine.tickets.incident([...incidentIds][0]!);
    expect(incident).toMatchObject({ kind: 'confirmed_fire', priority: 'P1', buildingId: 'b01' });
    const other = (await engine.tickets.list({ ruleId: 'smoke.alarm' })).find((t) => t.deviceId === 'smk-b02');
    expect(other?.incidentId).toBeNull();
    // Events: alert firing, occurrence, dispatch, incident (created once, joined once).
    expect((await logged()).filter((e) => e.type === 'alert' && e.transition.to === 'firing')).toHaveLength(4);
    expect((await logged()).filter((e) => e.type === 'ticket' && e.transition.action === 'dispatch')).toHaveLength(4);
    expect((await logged()).filter((e) => e.type === 'incident').map((e) => e.type === 'incident' && e.joined)).toEqual([false, true]);
    // A repeated alarm adds an occurrence, no new ticket.
    now += 1_000;
    const repeated = smokeAlarm('smk-1', now);
    await engine.ingest([repeated]);
    const t1 = (await engine.tickets.list({ ruleId: 'smoke.alarm' })).find((t) => t.deviceId === 'smk-1')!;
    expect(t1.occurrences).toBe(2);
    // The same message again (same device ts and seq: a QoS 1 redelivery, arriving later) is not a third.
    await engine.ingest([{ ...repeated, rxMs: now + 500 }, { ...repeated, rxMs: now + 600 }]);
    expect((await engine.tickets.get(t1.id))!.occurrences).toBe(2);
  });

  it('a P1 not accepted escalates to the grid leader, then the community; a restart keeps deadlines; acceptance stops it', async () => {
    now = T0 + 9 * 60 * MIN; // after the shift ended
    let engine = await make();
    await engine.ingest([smokeAlarm('smk-lone', now, 'b09')]);
    const ticket = (await engine.tickets.list({ ruleId: 'smoke.alarm' })).find((t) => t.deviceId === 'smk-lone')!;
    expect(ticket).toMatchObject({ status: 'dispatched', assigneeId: 'leader-a' }); // no shift then: the grid leader
    const escalations = async () =>
      (await logged()).flatMap((e) => (e.type === 'ticket' && e.ticket.id === ticket.id && e.transition.action === 'escalate' ? [e.transition.data?.to] : []));

    now += 2 * MIN - 1;
    await engine.tick();
    expect(await escalations()).toEqual([]);
    now += 1;
    await engine.tick();
    expect(await escalations()).toEqual(['warden:leader-a']);

    // Restart: a new engine over the same database.
    engine = await make();
    now += 2 * MIN - 1;
    await engine.tick();
    expect(await escalations()).toEqual(['warden:leader-a']);
    now += 1;
    await engine.tick();
    expect(await escalations()).toEqual(['warden:leader-a', 'community:cm1']);
    // each step names who it went to: the grid leader, then the officers of that community (not another's)
    const named = (await engine.tickets.transitions(ticket.id)).filter((h) => h.action === 'escalate').map((h) => h.data?.people);
    expect(named).toEqual([['leader-a'], ['officer-cm1']]);

    now += 30_000;
    await engine.act(ticket.id, { type: 'accept' }, { id: 'leader-a', role: 'grid_leader' });
    now += 2 * MIN; // would have gone to the street office
    await engine.tick();
    expect(await escalations()).toEqual(['warden:leader-a', 'community:cm1']);
    const history = await engine.tickets.transitions(ticket.id);
    expect(history.map((h) => h.action)).toEqual(['dispatch', 'warn', 'overdue', 'escalate', 'escalate', 'accept']);
  });

  it('a ticket is created on the hub clock; the alarm\'s arrival is kept as first seen (KPIs count from creation)', async () => {
    const engine = await make();
    now = T0 + 90 * MIN;
    const deviceTs = now - 3 * 24 * 60 * MIN; // an alarm that arrived days ago, evaluated now (a backlog)
    await engine.ingest([smokeAlarm('smk-late', deviceTs, 'b09')]);
    const t = (await engine.tickets.list({ ruleId: 'smoke.alarm' })).find((x) => x.deviceId === 'smk-late')!;
    expect(t.createdMs).toBe(now);
    expect(t.firstSeenMs).toBe(deviceTs);
  });

  it('an alarm that clears by itself marks the ticket "condition cleared"; a person closes it', async () => {
    const engine = await make();
    now += MIN;
    await engine.ingest([smokeAlarm('smk-x', now, 'b10')]);
    now += 1_000;
    await engine.ingest([{ ...smokeAlarm('smk-x', now, 'b10'), fields: { event: 'alarm_cleared' } }]);
    const t = (await engine.tickets.list({ ruleId: 'smoke.alarm' })).find((x) => x.deviceId === 'smk-x')!;
    expect(t).toMatchObject({ status: 'dispatched', conditionClearedMs: now });
    const closed = await engine.act(t.id, { type: 'close', note: 'cooking smoke' }, { id: 'op', role: 'operator' });
    expect(closed.status).toBe('closed');
  });

  it('liveness survives a restart: a camera\'s last will takes it offline a minute later', async () => {
    const engine = await make();
    now += MIN;
    const will: Reading = { deviceId: 'eb-1', kind: 'ebike', message: 'status', tsMs: now, seq: 0, rxMs: now, place: place('b01'), fields: { state: 'offline' } };
    await engine.ingest([will]);
    const restarted = await createRulesEngine({
      db: store.db as never, rules: buildRuleSet({ version: 1 }), clock: () => now, eventLog: store.eventLog,
      wardens: async () => wardens, devicePlace: async (id) => (id === 'eb-1' ? place('b01') : undefined),
    });
    now += 59_000;
    await restarted.tick();
    const offline = async () => (await logged()).filter((e) => e.type === 'alert' && e.deviceId === 'eb-1' && e.ruleId === 'ebike.offline' && e.transition.to === 'firing');
    expect(await offline()).toHaveLength(0);
    now += 1_000;
    await restarted.tick();
    expect(await offline()).toHaveLength(1);
    expect((await restarted.tickets.findOpen('ebike.offline', 'eb-1'))?.priority).toBe('P3');
    // Only the rules that observed a reading keep a state for its device: a birth touches liveness.
    const states = restarted.alertStates();
    await restarted.ingest([{ ...will, deviceId: 'eb-2', fields: { state: 'online' } }]);
    expect(restarted.alertStates()).toBe(states + 1);
    expect((await restarted.tickets.loadAlerts()).filter((a) => a.deviceId === 'eb-2').map((a) => a.ruleId)).toEqual(['ebike.offline']);
  });

  it('an alert state whose latest sample alone moved is written at most every 10 s; every change of standing at once; a restart resumes from what was written', async () => {
    const engine = await make();
    const bin = (i: number, fill: number, at: number): Reading => ({ deviceId: 'bin-save', kind: 'bin', message: 'telemetry', tsMs: at, seq: 1000 + i, rxMs: at, place: place('b01'), fields: { fill_pct: fill, temperature_c: 20 } });
    const stored = async () =>
      (await sql<{ state: string; last_sample_ms: number; active_at_ms: number | null }>`select state, last_sample_ms, active_at_ms from alert_states where device_id = 'bin-save' and rule_id = 'bin.collect_soon'`.execute(store.db)).rows[0];
    const t = now + MIN;
    now = t;
    await engine.ingest([bin(0, 50, t)]);
    expect(Number((await stored())!.last_sample_ms)).toBe(t); // never written before: written
    for (let i = 1; i <= 5; i++) {
      now = t + i * 1000;
      await engine.ingest([bin(i, 50 + i, now)]);
    }
    expect(Number((await stored())!.last_sample_ms)).toBe(t); // in its band, 5 s later: not written again
    now = t + 6000;
    await engine.ingest([bin(6, 85, now)]); // above 80: pending (its `for` window starts): written at once
    expect(await stored()).toMatchObject({ state: 'pending', active_at_ms: t + 6000, last_sample_ms: t + 6000 });
    now = t + 7000;
    await engine.ingest([bin(7, 86, now)]);
    expect(Number((await stored())!.last_sample_ms)).toBe(t + 6000);
    now = t + 16_000;
    await engine.ingest([bin(8, 87, now)]); // 10 s since the last write: written
    expect(Number((await stored())!.last_sample_ms)).toBe(t + 16_000);
    // A restart resumes with the standing written (pending since t + 6 s): the `for` window holds.
    const restarted = await make();
    now = t + 6000 + 10 * MIN;
    await restarted.ingest([bin(9, 88, now)]);
    expect((await stored())!.state).toBe('firing');
    expect((await restarted.tickets.findOpen('bin.collect_soon', 'bin-save'))?.firstSeenMs).toBe(t + 6000 + 10 * MIN);
  });

  it('one transaction per decision: when any write of it fails, no alert state, ticket or event is kept, and the same alarm offered again opens its ticket once', async () => {
    let failNext = true;
    const flaky = {
      async append(tx: Parameters<typeof store.eventLog.append>[0], events: readonly HubEvent[], atMs: number) {
        await store.eventLog.append(tx, events, atMs);
        if (failNext && events.some((e) => e.type === 'occurrence')) {
          failNext = false;
          throw new Error('store went away mid-commit');
        }
      },
      committed: () => store.eventLog.committed(),
    };
    const engine = await createRulesEngine({ db: store.db as never, rules: buildRuleSet({ version: 1 }), clock: () => now, eventLog: flaky, wardens: async (g) => wardens.filter((w) => w.gridId === g) });
    now += MIN;
    const before = await store.eventLog.lastId();
    const alarm = smokeAlarm('smk-atomic', now, 'b11');
    await expect(engine.ingest([alarm], { name: 'test', position: 1 })).rejects.toThrow('store went away');
    expect(await engine.tickets.findOpen('smoke.alarm', 'smk-atomic')).toBeUndefined();
    expect((await engine.tickets.loadAlerts()).some((a) => a.subjectKey === 'smk-atomic')).toBe(false);
    expect(await store.eventLog.lastId()).toBe(before);
    expect(await readCursor(store.db, 'test')).toBeNull();
    await engine.ingest([alarm], { name: 'test', position: 1 });
    const t = (await engine.tickets.findOpen('smoke.alarm', 'smk-atomic'))!;
    expect(t).toMatchObject({ occurrences: 1, status: 'dispatched' });
    expect(await readCursor(store.db, 'test')).toBe(1);
    const events = (await store.eventLog.readAfter(before, 100)).map((e) => e.event.type);
    expect(events).toEqual(['alert', 'occurrence', 'ticket']);
  });
});
