import type { DevicePlace, HubEvent, Officer, Reading, Warden } from '@gridhub/core';
import { writeCursor } from '@gridhub/store';
import type { Transaction } from 'kysely';
import { INITIAL_ALERT_STATE } from './alert/step.ts';
import { rulesFor, type RuleSet } from './config/ruleset.ts';
import { isSilenced } from './config/schedule.ts';
import { decideReading, decideTick, mustSave, type Decision } from './decide.ts';
import { subjectKey, type Rule } from './kinds/index.ts';
import type { StoredAlert } from './store/rows.ts';
import { TicketStore } from './store/ticket-store.ts';
import { correlateFire, FIRE_RULE_ID, FIRE_WINDOW_MS } from './tickets/correlate.ts';
import { incidentPlan, type IncidentCommand } from './tickets/incident.ts';
import { SYSTEM, type Actor, type Ticket, type TicketAction } from './tickets/model.ts';
import { dutyAssignee, escalationTarget } from './tickets/roster.ts';
import type { SlaConfig } from './tickets/sla.ts';

/** Where the engine's events go: the event log (store's EventLog), appended inside the engine's transaction. */
export interface EventAppender {
  append(tx: Transaction<any>, events: readonly HubEvent[], atMs: number): Promise<void>;
  /** Called after a transaction that appended events has committed. */
  committed(): void;
}

/** A consumer's position, written in the same transaction as what the readings caused. */
export interface CursorWrite {
  name: string;
  position: unknown;
}

export interface RulesEngineOptions {
  /** The store package's Kysely instance (`SqlHubStore.db`), migrated. */
  db: ConstructorParameters<typeof TicketStore>[0];
  rules: RuleSet;
  clock: () => number;
  /** The event log: every alert and ticket transition, occurrence and incident is appended with its change. */
  eventLog: EventAppender;
  /** Wardens of a grid (the store's `listWardens`); read before a decision's transaction, never inside it. */
  wardens: (gridId: string) => Promise<Warden[]>;
  /** Officers of the communities and the street office (社区干部, 街道干部), whom escalations name. */
  officers?: () => Promise<Officer[]>;
  /** Where a device stands (the store's `deviceInfo`), for alert states restored after a restart. */
  devicePlace?: (deviceId: string) => Promise<DevicePlace | undefined>;
  sla?: SlaConfig;
}

export interface RulesEngine {
  readonly tickets: TicketStore;
  /**
   * Evaluates a batch of readings, in order, and commits everything they caused (alert states,
   * tickets, occurrences, incidents, events, and `cursor` when given) in one transaction. On a
   * failure nothing is kept, in the database or in memory: the same batch may be offered again.
   */
  ingest(readings: readonly Reading[], cursor?: CursorWrite): Promise<void>;
  /** The periodic tick: `for` windows, liveness, no-data, event hold, SLA timers. */
  tick(): Promise<void>;
  /** A person's action on a ticket (the API calls this). */
  act(ticketId: string, action: TicketAction, actor: Actor): Promise<Ticket>;
  /** One action on a whole incident: each of its open tickets follows (those it changed). */
  actIncident(incidentId: string, cmd: IncidentCommand, actor: Actor): Promise<Ticket[]>;
  setRules(rules: RuleSet): void;
  /** Alert states held in memory (one per rule and subject that has observed something). */
  alertStates(): number;
}

/** `savedMs`: when the state in memory was last written (the engine's clock); null: never. */
type LiveAlert = StoredAlert & { place: DevicePlace | null; savedMs: number | null };

interface Pending {
  rule: Rule;
  alert: LiveAlert;
  place: DevicePlace;
  decision: Decision;
  /** The reading decided on (none for the clock). */
  reading?: Reading;
  /** Its alert state is written in the transaction (decide.ts, mustSave). */
  save: boolean;
}

/** What one decision's transaction writes with: the store bound to it, the events it records. */
interface Unit {
  store: TicketStore;
  record(e: HubEvent): void;
  wardens: ReadonlyMap<string, Warden[]>;
  nowMs: number;
}

/**
 * Glues the pure cores to the store, effects at the edges: readings -> decisions (decide.ts,
 * pure) -> one transaction: alert states, tickets, dispatch, correlation, events, cursor. Work
 * is serialised: one batch or tick at a time. In-memory alert states change only after their
 * transaction commits. Alert states are loaded at start, so a restart keeps `for` windows.
 */
export async function createRulesEngine(opts: RulesEngineOptions): Promise<RulesEngine> {
  const store = new TicketStore(opts.db, { sla: opts.sla });
  let rules = opts.rules;
  let ruleCache = new Map<string, Rule[]>();
  const alerts = new Map<string, LiveAlert>();
  const loadedMs = opts.clock();
  for (const a of await store.loadAlerts()) alerts.set(`${a.ruleId}|${a.subjectKey}`, { ...a, place: null, savedMs: loadedMs });
  const places = new Map<string, DevicePlace>();
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const ruleById = (id: string, deviceId: string): Rule | undefined => ruleCache.get(deviceId)?.find((r) => r.id === id) ?? rules.base.get(id);

  function rulesOf(r: Reading): Rule[] {
    let list = ruleCache.get(r.deviceId);
    if (!list) ruleCache.set(r.deviceId, (list = rulesFor(rules, { id: r.deviceId, kind: r.kind, place: r.place })));
    return list;
  }

  /** Wardens of the grids a decision may dispatch or escalate in, read before its transaction. */
  async function wardensOf(gridIds: Iterable<string>): Promise<Map<string, Warden[]>> {
    const out = new Map<string, Warden[]>();
    for (const g of new Set(gridIds)) out.set(g, await opts.wardens(g));
    return out;
  }

  /** One transaction: `fn` writes through the bound store and records events; they are appended before the commit. */
  async function commit<T>(wardens: ReadonlyMap<string, Warden[]>, fn: (u: Unit) => Promise<T>): Promise<T> {
    let appended = false;
    const nowMs = opts.clock();
    const result = await store.transaction(async (tx) => {
      const events: HubEvent[] = [];
      const r = await fn({ store: store.within(tx), record: (e) => void events.push(e), wardens, nowMs });
      await opts.eventLog.append(tx, events, nowMs);
      appended = events.length > 0;
      return r;
    });
    if (appended) opts.eventLog.committed();
    return result;
  }

  async function effects(u: Unit, batch: readonly Pending[]): Promise<void> {
    // One row per alert even when a batch holds several readings of one device (PostgreSQL refuses
    // an upsert that touches a row twice in one statement): the last decision of each wins. An
    // alert none of whose decisions must be saved (only its latest sample moved) is not written.
    const save = new Set(batch.filter((p) => p.save).map((p) => p.alert));
    const last = new Map<LiveAlert, StoredAlert>();
    for (const p of batch) if (save.has(p.alert)) last.set(p.alert, { ruleId: p.alert.ruleId, subjectKey: p.alert.subjectKey, deviceId: p.alert.deviceId, alert: p.decision.alert, memory: p.decision.memory });
    await u.store.saveAlerts([...last.values()], u.nowMs);
    for (const p of batch) {
      const silenced = isSilenced(rules.silences, p.alert.deviceId, p.place, p.rule.id, u.nowMs);
      for (const t of p.decision.transitions) {
        u.record({ type: 'alert', ruleId: p.rule.id, subjectKey: p.alert.subjectKey, deviceId: p.alert.deviceId, priority: p.rule.priority, transition: t, silenced });
      }
      for (const e of p.decision.effects) {
        if (e.type === 'open') await openTicket(u, p, e.atMs);
        else await conditionCleared(u, p);
      }
    }
  }

  async function openTicket(u: Unit, p: Pending, atMs: number): Promise<void> {
    const { ticket, created } = await u.store.openOrRepeat({
      ruleId: p.rule.id, subjectKey: p.alert.subjectKey, deviceId: p.alert.deviceId, deviceKind: p.rule.deviceKind, priority: p.rule.priority,
      title: p.rule.title, place: p.place, atMs, nowMs: u.nowMs, value: p.decision.alert.value, clockSuspect: !!p.reading?.clockSuspect,
    });
    u.record({ type: 'occurrence', ticket, created });
    if (!created) return;
    const duty = dutyAssignee(await u.store.shifts(ticket.gridId, u.nowMs), u.wardens.get(ticket.gridId) ?? [], ticket.gridId, u.nowMs);
    const dispatched = duty.assigneeId ? await apply(u, ticket.id, { type: 'dispatch', assigneeId: duty.assigneeId, via: duty.via === 'roster' ? 'roster' : 'grid_leader' }, SYSTEM) : ticket;
    if (p.rule.id === FIRE_RULE_ID && dispatched.place.building) await correlate(u, dispatched);
  }

  async function correlate(u: Unit, t: Ticket): Promise<void> {
    const recent = await u.store.recentAlarms(FIRE_RULE_ID, t.place.building!, t.lastSeenMs - FIRE_WINDOW_MS);
    const self = recent.find((r) => r.ticketId === t.id) ?? { ticketId: t.id, deviceId: t.deviceId, buildingId: t.place.building, lastSeenMs: t.lastSeenMs, incidentId: null };
    const c = correlateFire(self, recent);
    // Each ticket joins through the transition table, so the join is in its history and every
    // screen gets the ticket with its incident (the screens draw the incident from its tickets).
    // The title is the screens' dictionary key's fallback; they name the building themselves.
    if (c.type === 'create') {
      const incident = await u.store.createIncident(
        { kind: 'confirmed_fire', priority: 'P1', title: '确认火情', gridId: t.gridId, estateId: t.place.estate, buildingId: t.place.building, createdMs: u.nowMs },
        [],
      );
      for (const id of c.ticketIds) await apply(u, id, { type: 'join_incident', incidentId: incident.id }, SYSTEM);
      u.record({ type: 'incident', incident, ticketIds: c.ticketIds, joined: false });
    } else if (c.type === 'join') {
      for (const id of c.ticketIds) await apply(u, id, { type: 'join_incident', incidentId: c.incidentId }, SYSTEM);
      const incident = await u.store.incident(c.incidentId);
      if (incident) u.record({ type: 'incident', incident, ticketIds: c.ticketIds, joined: true });
    }
  }

  async function conditionCleared(u: Unit, p: Pending): Promise<void> {
    const t = await u.store.findOpen(p.rule.id, p.alert.subjectKey);
    if (t && t.conditionClearedMs === null) await apply(u, t.id, { type: 'condition_cleared' }, SYSTEM);
  }

  async function apply(u: Unit, id: string, action: TicketAction, actor: Actor): Promise<Ticket> {
    const r = await u.store.apply(id, action, actor, u.nowMs);
    for (const transition of r.transitions) u.record({ type: 'ticket', ticket: r.ticket, transition });
    return r.ticket;
  }

  /** Decisions that may open a ticket need the wardens of its grid (dispatch on open). */
  const gridsToDispatch = (batch: readonly Pending[]) => batch.filter((p) => p.decision.effects.some((e) => e.type === 'open')).map((p) => p.place.grid);

  /** Commits a batch of decisions, then (only then) makes their alert states the ones in memory. */
  async function decideAndCommit(batch: Pending[], cursor?: CursorWrite): Promise<void> {
    if (!batch.length && !cursor) return;
    const wardens = await wardensOf(gridsToDispatch(batch));
    const savedMs = await commit(wardens, async (u) => {
      await effects(u, batch);
      if (cursor) await writeCursor(u.store.db as never, cursor.name, cursor.position, u.nowMs);
      return u.nowMs;
    });
    for (const p of batch) {
      p.alert.alert = p.decision.alert;
      p.alert.memory = p.decision.memory;
      p.alert.place = p.place;
      if (p.save) p.alert.savedMs = savedMs;
      alerts.set(`${p.rule.id}|${p.alert.subjectKey}`, p.alert);
    }
  }

  return {
    tickets: store,
    alertStates: () => alerts.size,
    setRules(next) {
      rules = next;
      ruleCache = new Map();
    },
    ingest: (readings, cursor) =>
      serial(async () => {
        const nowMs = opts.clock();
        const batch: Pending[] = [];
        // Decisions of this batch see the ones before them: a state per key, committed together.
        const staged = new Map<string, Pending>();
        for (const reading of readings) {
          places.set(reading.deviceId, reading.place);
          for (const rule of rulesOf(reading)) {
            const subject = subjectKey(rule, reading);
            const key = `${rule.id}|${subject}`;
            const before = staged.get(key);
            const known = before?.alert ?? alerts.get(key);
            const silenced = !!isSilenced(rules.silences, reading.deviceId, reading.place, rule.id, nowMs);
            const alert = before?.decision.alert ?? known?.alert ?? INITIAL_ALERT_STATE;
            // Only a rule that observed the reading gets a state: a device's birth message would
            // otherwise give it one per rule of its kind, a few hundred bytes each, for nothing.
            const memory = before?.decision.memory ?? known?.memory ?? {};
            const d = decideReading(rule, alert, memory, reading, nowMs, silenced);
            if (!d || d.replay) continue;
            const live = known ?? { ruleId: rule.id, subjectKey: subject, deviceId: reading.deviceId, alert: INITIAL_ALERT_STATE, memory: {}, place: reading.place, savedMs: null };
            const p = { rule, alert: live, place: reading.place, decision: d, reading, save: mustSave({ alert, memory }, d, live.savedMs, nowMs) };
            staged.set(key, p);
            batch.push(p);
          }
        }
        await decideAndCommit(batch, cursor);
      }),
    tick: () =>
      serial(async () => {
        const nowMs = opts.clock();
        const batch: Pending[] = [];
        for (const alert of alerts.values()) {
          const rule = ruleById(alert.ruleId, alert.deviceId);
          let place = alert.place ?? places.get(alert.deviceId);
          if (!place && opts.devicePlace) place = await opts.devicePlace(alert.deviceId);
          if (!rule || !place) continue;
          alert.place = place;
          const silenced = !!isSilenced(rules.silences, alert.deviceId, place, rule.id, nowMs);
          const d = decideTick(rule, alert.alert, alert.memory, nowMs, silenced);
          if (d) batch.push({ rule, alert, place, decision: d, save: true });
        }
        await decideAndCommit(batch);
        // SLA timers: each ticket's due timers fire in one transaction with their events, so a
        // crash either fired them (and marked them fired) or did not: once each.
        for (const id of await store.dueTicketIds(nowMs)) {
          const t = await store.get(id);
          if (!t) continue;
          const wardens = await opts.wardens(t.gridId);
          const officers = (await opts.officers?.()) ?? [];
          await commit(new Map(), async (u) => {
            const r = await u.store.fireTimers(id, u.nowMs, (level, cur) => escalationTarget(level, cur.place, cur.gridId, wardens, officers));
            for (const transition of r.transitions) u.record({ type: 'ticket', ticket: r.ticket, transition });
          });
        }
      }),
    act: (ticketId, action, actor) => serial(() => commit(new Map(), (u) => apply(u, ticketId, action, actor))),
    // One transaction for the whole incident: every ticket follows, or none does.
    actIncident: (incidentId, cmd, actor) =>
      serial(() =>
        commit(new Map(), async (u) => {
          const tickets = await u.store.list({ incidentId, open: true, limit: 1000 });
          const changed: Ticket[] = [];
          for (const step of incidentPlan(tickets, cmd)) changed.push(await apply(u, step.ticketId, step.action, actor));
          return changed;
        }),
      ),
  };
}
