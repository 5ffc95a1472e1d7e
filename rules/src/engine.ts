import type { DevicePlace, Reading, Warden } from '@gridhub/core';
import { INITIAL_ALERT_STATE, isFiring, isResolution, step, type AlertTransition } from './alert/step.ts';
import { rulesFor, type RuleSet } from './config/ruleset.ts';
import { inSchedule, isSilenced } from './config/schedule.ts';
import type { Emit } from './events.ts';
import type { Observation } from './kinds/common.ts';
import { observe, subjectKey, tickObservation, type Rule } from './kinds/index.ts';
import type { StoredAlert } from './store/rows.ts';
import { TicketStore } from './store/ticket-store.ts';
import { correlateFire, FIRE_RULE_ID, FIRE_WINDOW_MS } from './tickets/correlate.ts';
import { incidentPlan, type IncidentCommand } from './tickets/incident.ts';
import { SYSTEM, type Actor, type Ticket, type TicketAction } from './tickets/model.ts';
import { dutyAssignee, escalationTarget } from './tickets/roster.ts';
import type { SlaConfig } from './tickets/sla.ts';

export interface RulesEngineOptions {
  /** The store package's Kysely instance (`SqlHubStore.db`), migrated. */
  db: ConstructorParameters<typeof TicketStore>[0];
  rules: RuleSet;
  clock: () => number;
  emit: Emit;
  /** Wardens of a grid (the store's `listWardens`). */
  wardens: (gridId: string) => Promise<Warden[]>;
  /** Where a device stands (the store's `deviceInfo`), for alert states restored after a restart. */
  devicePlace?: (deviceId: string) => Promise<DevicePlace | undefined>;
  sla?: SlaConfig;
}

export interface RulesEngine {
  readonly tickets: TicketStore;
  /** Evaluates a batch of readings, in order. */
  ingest(readings: readonly Reading[]): Promise<void>;
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

interface Pending {
  rule: Rule;
  alert: StoredAlert;
  place: Reading['place'];
  transitions: readonly AlertTransition[];
  repeat: boolean;
}

/**
 * Glues the pure cores to the store, effects at the edges: readings -> observations -> alert
 * step -> (persist) -> tickets, dispatch, correlation -> events. Work is serialised: one batch
 * or tick at a time. Alert states are loaded at start, so a restart keeps `for` windows.
 */
export async function createRulesEngine(opts: RulesEngineOptions): Promise<RulesEngine> {
  const store = new TicketStore(opts.db, { sla: opts.sla });
  let rules = opts.rules;
  let ruleCache = new Map<string, Rule[]>();
  const alerts = new Map<string, StoredAlert & { place: Reading['place'] | null }>();
  for (const a of await store.loadAlerts()) alerts.set(`${a.ruleId}|${a.subjectKey}`, { ...a, place: null });
  const places = new Map<string, Reading['place']>();
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

  function evaluate(rule: Rule, alert: StoredAlert, obs: Observation | null, nowMs: number) {
    const o = obs && !inSchedule(rule.schedule, nowMs) ? { ...obs, type: 'clear' as const } : obs;
    const r = step(alert.alert, o, rule, nowMs);
    alert.alert = r.next;
    return r.transitions;
  }

  async function effects(batch: Pending[], nowMs: number): Promise<void> {
    // One row per alert even when a batch holds several readings of one device (PostgreSQL refuses
    // an upsert that touches a row twice in one statement).
    await store.saveAlerts([...new Set(batch.map((p) => p.alert))], nowMs);
    for (const p of batch) {
      for (const t of p.transitions) {
        const silenced = isSilenced(rules.silences, p.alert.deviceId, p.place, p.rule.id, nowMs);
        opts.emit({ type: 'alert', ruleId: p.rule.id, subjectKey: p.alert.subjectKey, deviceId: p.alert.deviceId, priority: p.rule.priority, transition: t, silenced });
        if (isFiring(t) && !silenced) await openTicket(p, t.atMs);
        if (isResolution(t)) await conditionCleared(p, nowMs);
      }
      if (p.repeat && !isSilenced(rules.silences, p.alert.deviceId, p.place, p.rule.id, nowMs)) await openTicket(p, p.alert.alert.lastSampleMs ?? nowMs);
    }
  }

  async function openTicket(p: Pending, atMs: number): Promise<void> {
    const { ticket, created } = await store.openOrRepeat({
      ruleId: p.rule.id, subjectKey: p.alert.subjectKey, deviceId: p.alert.deviceId, deviceKind: p.rule.deviceKind, priority: p.rule.priority,
      title: p.rule.title, place: p.place, atMs, nowMs: opts.clock(), value: p.alert.alert.value,
    });
    opts.emit({ type: 'occurrence', ticket, created });
    if (!created) return;
    const nowMs = opts.clock();
    const duty = dutyAssignee(await store.shifts(ticket.gridId, nowMs), await opts.wardens(ticket.gridId), ticket.gridId, nowMs);
    const dispatched = duty.assigneeId ? await apply(ticket.id, { type: 'dispatch', assigneeId: duty.assigneeId, via: duty.via === 'roster' ? 'roster' : 'grid_leader' }, SYSTEM) : ticket;
    if (p.rule.id === FIRE_RULE_ID && dispatched.place.building) await correlate(dispatched, nowMs);
  }

  async function correlate(t: Ticket, nowMs: number): Promise<void> {
    const recent = await store.recentAlarms(FIRE_RULE_ID, t.place.building!, t.lastSeenMs - FIRE_WINDOW_MS);
    const self = recent.find((r) => r.ticketId === t.id) ?? { ticketId: t.id, deviceId: t.deviceId, buildingId: t.place.building, lastSeenMs: t.lastSeenMs, incidentId: null };
    const c = correlateFire(self, recent);
    // Each ticket joins through the transition table, so the join is in its history and every
    // screen gets the ticket with its incident (the screens draw the incident from its tickets).
    // The title is the screens' dictionary key's fallback; they name the building themselves.
    if (c.type === 'create') {
      const incident = await store.createIncident(
        { kind: 'confirmed_fire', priority: 'P1', title: '确认火情', gridId: t.gridId, estateId: t.place.estate, buildingId: t.place.building, createdMs: nowMs },
        [],
      );
      for (const id of c.ticketIds) await apply(id, { type: 'join_incident', incidentId: incident.id }, SYSTEM, nowMs);
      opts.emit({ type: 'incident', incident, ticketIds: c.ticketIds, joined: false });
    } else if (c.type === 'join') {
      for (const id of c.ticketIds) await apply(id, { type: 'join_incident', incidentId: c.incidentId }, SYSTEM, nowMs);
      const incident = await store.incident(c.incidentId);
      if (incident) opts.emit({ type: 'incident', incident, ticketIds: c.ticketIds, joined: true });
    }
  }

  async function conditionCleared(p: Pending, nowMs: number): Promise<void> {
    const t = await store.findOpen(p.rule.id, p.alert.subjectKey);
    if (t && t.conditionClearedMs === null) await apply(t.id, { type: 'condition_cleared' }, SYSTEM, nowMs);
  }

  async function apply(id: string, action: TicketAction, actor: Actor, nowMs = opts.clock()): Promise<Ticket> {
    const r = await store.apply(id, action, actor, nowMs);
    for (const transition of r.transitions) opts.emit({ type: 'ticket', ticket: r.ticket, transition });
    return r.ticket;
  }

  function newAlert(key: string, subject: string, rule: Rule, reading: Reading, memory: StoredAlert['memory']) {
    const a = { ruleId: rule.id, subjectKey: subject, deviceId: reading.deviceId, alert: INITIAL_ALERT_STATE, memory, place: reading.place };
    alerts.set(key, a);
    return a;
  }

  return {
    tickets: store,
    alertStates: () => alerts.size,
    setRules(next) {
      rules = next;
      ruleCache = new Map();
    },
    ingest: (readings) =>
      serial(async () => {
        const nowMs = opts.clock();
        const batch: Pending[] = [];
        for (const reading of readings) {
          places.set(reading.deviceId, reading.place);
          for (const rule of rulesOf(reading)) {
            const subject = subjectKey(rule, reading);
            const key = `${rule.id}|${subject}`;
            const known = alerts.get(key);
            const memory = known?.memory ?? {};
            const obs = observe(rule, reading, memory);
            // Only a rule that observed the reading gets a state: a device's birth message would
            // otherwise give it one per rule of its kind, a few hundred bytes each, for nothing.
            if (!obs) continue;
            const alert = known ?? newAlert(key, subject, rule, reading, memory);
            alert.place = reading.place;
            const wasFiring = alert.alert.state === 'firing';
            const lastSampleMs = alert.alert.lastSampleMs;
            const transitions = evaluate(rule, alert, obs, nowMs);
            // A repeated device event on a firing alert adds an occurrence to its ticket. Only a newer
            // one: after a crash the spool hands the engine its last readings again (at least once),
            // and a replayed alarm is the same alarm, not a second one.
            const newer = lastSampleMs === null || obs.tsMs > lastSampleMs;
            const repeat = rule.kind === 'event' && wasFiring && newer && !transitions.length && obs.type === 'breach' && alert.alert.lastSampleMs === obs.tsMs;
            batch.push({ rule, alert, place: reading.place, transitions, repeat });
          }
        }
        await effects(batch, nowMs);
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
          let obs = tickObservation(rule, alert.memory, nowMs);
          const last = alert.alert.lastSampleMs;
          if (!obs && rule.noDataAfterMs !== null && last !== null && nowMs - last >= rule.noDataAfterMs) obs = { type: 'nodata', tsMs: nowMs, source: 'clock' };
          const transitions = [...evaluate(rule, alert, obs, nowMs), ...(obs ? evaluate(rule, alert, null, nowMs) : [])];
          if (transitions.length) batch.push({ rule, alert, place, transitions, repeat: false });
        }
        await effects(batch, nowMs);
        for (const id of await store.dueTicketIds(nowMs)) {
          const t = await store.get(id);
          if (!t) continue;
          const wardens = await opts.wardens(t.gridId);
          const r = await store.fireTimers(id, nowMs, (level, cur) => escalationTarget(level, cur.place, cur.gridId, wardens));
          for (const transition of r.transitions) opts.emit({ type: 'ticket', ticket: r.ticket, transition });
        }
      }),
    act: (ticketId, action, actor) => serial(() => apply(ticketId, action, actor)),
    actIncident: (incidentId, cmd, actor) =>
      serial(async () => {
        const tickets = await store.list({ incidentId, open: true, limit: 1000 });
        const changed: Ticket[] = [];
        for (const step of incidentPlan(tickets, cmd)) changed.push(await apply(step.ticketId, step.action, actor));
        return changed;
      }),
  };
}
