import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { TicketStore, type TicketOpening } from '../src/store/ticket-store.ts';
import { rulesErrorCode } from '../src/errors.ts';
import { SYSTEM } from '../src/tickets/model.ts';
import { INITIAL_ALERT_STATE } from '../src/alert/step.ts';

/**
 * ONE ticket-store suite (aedes-persistence's abstract.js model), run by sqlite.test.ts and
 * postgres.test.ts against a migrated database from the store package.
 */
export interface Backend {
  db: Kysely<any>;
  close(): Promise<void>;
}

const place = { street: 'st', community: 'cm', grid: 'g1', estate: 'hy', building: 'b01', unit: 'u1' };
let n = 0;
const opening = (over: Partial<TicketOpening> = {}): TicketOpening => ({
  ruleId: 'smoke.alarm', subjectKey: `dev-${n}`, deviceId: `dev-${n}`, deviceKind: 'smoke', priority: 'P1', title: 'Smoke', place, atMs: 1_000, ...over,
});

export function ticketStoreContract(name: string, open: () => Promise<Backend>, opts: { skip?: boolean } = {}) {
  describe.skipIf(opts.skip)(`ticket store contract (${name})`, () => {
    let backend: Backend;
    let store: TicketStore;
    beforeAll(async () => {
      backend = await open();
      store = new TicketStore(backend.db);
    });
    afterAll(async () => {
      await backend?.close();
    });

    it('100 identical alarms from one device within a second -> 1 ticket with 100 occurrences', async () => {
      n++;
      const results = [];
      for (let i = 0; i < 100; i++) results.push(await store.openOrRepeat(opening({ atMs: 1_000 + i * 10 })));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const id = results[0]!.ticket.id;
      expect(new Set(results.map((r) => r.ticket.id))).toEqual(new Set([id]));
      const t = await store.get(id);
      expect(t).toMatchObject({ occurrences: 100, firstSeenMs: 1_000, lastSeenMs: 1_990, status: 'new' });
      expect(await store.occurrenceCount(id)).toBe(100);
    });

    it('50 alarm deliveries for one device at once -> 1 ticket', async () => {
      n++;
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.openOrRepeat(opening({ atMs: 5_000 + i }))));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.ticket.id)).size).toBe(1);
      expect((await store.list({ ruleId: 'smoke.alarm', open: true })).filter((t) => t.deviceId === `dev-${n}`)).toHaveLength(1);
      expect(await store.occurrenceCount(results[0]!.ticket.id)).toBe(50);
    });

    it('a closed ticket lets the next alarm open a new one', async () => {
      n++;
      const first = await store.openOrRepeat(opening());
      await store.apply(first.ticket.id, { type: 'condition_cleared' }, SYSTEM, 2_000);
      await store.apply(first.ticket.id, { type: 'close', note: 'cleared by itself' }, { id: 'op1', role: 'operator' }, 3_000);
      const again = await store.openOrRepeat(opening({ atMs: 4_000 }));
      expect(again.created).toBe(true);
      expect(again.ticket.id).not.toBe(first.ticket.id);
    });

    it('records every transition and refuses illegal ones with a coded error', async () => {
      n++;
      const { ticket } = await store.openOrRepeat(opening());
      await store.apply(ticket.id, { type: 'dispatch', assigneeId: 'w1' }, SYSTEM, 1_100);
      await store.apply(ticket.id, { type: 'accept' }, { id: 'w1', role: 'warden' }, 1_200);
      await expect(store.apply(ticket.id, { type: 'close', note: 'verified' }, { id: 'w1', role: 'warden' }, 1_300)).rejects.toSatisfy((e) => rulesErrorCode(e) === 'RULES_ERR_TICKET_TRANSITION');
      await expect(store.apply('nope', { type: 'accept' }, SYSTEM, 1)).rejects.toSatisfy((e) => rulesErrorCode(e) === 'RULES_ERR_TICKET_NOT_FOUND');
      const log = await store.transitions(ticket.id);
      expect(log.map((t) => `${t.from}>${t.to} by ${t.by}@${t.atMs}`)).toEqual(['new>dispatched by system@1100', 'dispatched>accepted by w1@1200']);
      expect((await store.get(ticket.id))!.version).toBe(2);
    });

    it('concurrent actions on one ticket: exactly one accept wins', async () => {
      n++;
      const { ticket } = await store.openOrRepeat(opening());
      await store.apply(ticket.id, { type: 'dispatch', assigneeId: 'w1' }, SYSTEM, 1_100);
      const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => store.apply(ticket.id, { type: 'accept' }, { id: 'w1', role: 'warden' }, 1_200)));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect((await store.transitions(ticket.id)).map((t) => t.action)).toEqual(['dispatch', 'accept']);
    });

    it('persists SLA timers: due tickets are found and fired once', async () => {
      n++;
      const { ticket } = await store.openOrRepeat(opening());
      await store.apply(ticket.id, { type: 'dispatch', assigneeId: 'w1' }, SYSTEM, 10_000);
      expect(await store.dueTicketIds(10_000 + 60_000)).not.toContain(ticket.id);
      expect(await store.dueTicketIds(10_000 + 120_000)).toContain(ticket.id);
      const fresh = new TicketStore(backend.db); // as after a restart
      expect((await fresh.fireTimers(ticket.id, 10_000 + 100_000, (level) => ({ to: `L${level}`, people: [] }))).fired.map((a) => a.type)).toEqual(['warn']);
      const r = await fresh.fireTimers(ticket.id, 10_000 + 120_000, (level) => ({ to: `L${level}`, people: ['officer1'] }));
      expect(r.fired.map((a) => a.type)).toEqual(['overdue', 'escalate']);
      // the step names who it went to in the history
      expect(r.transitions.find((x) => x.action === 'escalate')?.data).toMatchObject({ level: 1, to: 'L1', people: ['officer1'] });
      expect(r.ticket).toMatchObject({ escalation: 1, overdue: ['accept'] });
      expect((await fresh.fireTimers(ticket.id, 10_000 + 120_000, () => ({ to: 'x', people: [] }))).fired).toEqual([]);
      expect(await store.dueTicketIds(10_000 + 120_000)).not.toContain(ticket.id);
    });

    it('keeps alert states with their memory', async () => {
      const a = { ruleId: 'ebike.repeat', subjectKey: 'unit:u1', deviceId: 'eb1', alert: { ...INITIAL_ALERT_STATE, state: 'pending' as const, activeAtMs: 5, pendingSeenMs: 9, lastSampleMs: 5 }, memory: { times: [1, 5] } };
      await store.saveAlerts([a], 10);
      await store.saveAlerts([{ ...a, alert: { ...a.alert, state: 'firing', firedAtMs: 7 } }], 11);
      const loaded = (await store.loadAlerts()).find((x) => x.subjectKey === 'unit:u1');
      expect(loaded).toEqual({ ...a, alert: { ...a.alert, state: 'firing', firedAtMs: 7 } });
    });

    it('upserts a large batch of alert states through its cached statements, each row exactly', async () => {
      // 345 = 256 + 64 + 16 + 4 + 4 + 1: every chunk size once or more; then again, changed.
      const batch = Array.from({ length: 345 }, (_, i) => ({
        ruleId: 'bin.full', subjectKey: `device:bulk-${i}`, deviceId: `bulk-${i}`,
        alert: { ...INITIAL_ALERT_STATE, lastSampleMs: 1000 + i, value: i % 7 === 0 ? null : i / 2 }, memory: i % 2 ? { times: [i] } : {},
      }));
      const scoped = new TicketStore(store.db);
      await scoped.transaction((tx) => scoped.within(tx).saveAlerts(batch, 20));
      const changed = batch.map((a, i) => ({ ...a, alert: { ...a.alert, state: i % 3 ? ('firing' as const) : ('resolved' as const), firedAtMs: 2000 + i, resolvedAtMs: i % 3 ? null : 2500 + i, lastSampleMs: 3000 + i } }));
      await scoped.transaction((tx) => scoped.within(tx).saveAlerts(changed, 21));
      expect(scoped.cachedAlertUpserts).toBe(5); // Kysely's parameter order matched: the texts are reused
      const loaded = new Map((await store.loadAlerts()).filter((a) => a.deviceId.startsWith('bulk-')).map((a) => [a.subjectKey, a]));
      expect(loaded.size).toBe(345);
      for (const a of changed) expect(loaded.get(a.subjectKey)).toEqual(a);
    });

    it('groups tickets into an incident and finds recent alarms in a building', async () => {
      const ids = [];
      for (let i = 0; i < 2; i++) {
        n++;
        ids.push((await store.openOrRepeat(opening({ place: { ...place, building: 'b77' }, atMs: 50_000 + i }))).ticket.id);
      }
      const recent = await store.recentAlarms('smoke.alarm', 'b77', 0);
      expect(recent.map((r) => r.ticketId).sort()).toEqual([...ids].sort());
      const inc = await store.createIncident({ kind: 'confirmed_fire', priority: 'P1', title: 'fire', gridId: 'g1', estateId: 'hy', buildingId: 'b77', createdMs: 50_001 }, ids);
      expect((await store.list({ incidentId: inc.id })).map((t) => t.id).sort()).toEqual([...ids].sort());
      expect(await store.incident(inc.id)).toEqual(inc);
    });

    it('keeps duty rosters', async () => {
      await store.addShifts([{ gridId: 'g1', wardenId: 'w1', fromMs: 0, toMs: 100 }, { gridId: 'g1', wardenId: 'w2', fromMs: 100, toMs: 200 }]);
      expect((await store.shifts('g1', 150)).map((s) => s.wardenId)).toEqual(['w2']);
    });
  });
}
