import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql, type Kysely, type Transaction } from 'kysely';
import { rulesError } from '../errors.ts';
import type { Department, DeviceKind, Incident, Priority, TicketOccurrence } from '@gridhub/core';
import { applyTicketAction } from '../tickets/lifecycle.ts';
import { OPEN_STATUSES, SYSTEM, type Actor, type Ticket, type TicketAction, type TicketStatus, type TicketTransition } from '../tickets/model.ts';
import type { AlarmRef } from '../tickets/correlate.ts';
import type { RosterShift } from '../tickets/roster.ts';
import { DEFAULT_SLA, dueTimers, ticketTimers, timerSays, type SlaConfig, type TimerAction } from '../tickets/sla.ts';
import { alertFromRow, alertToRow, ticketFromRow, ticketToRow, transitionFromRow, transitionToRow, type AlertRow, type StoredAlert, type TicketRow } from './rows.ts';

/** What opens a ticket (or adds an occurrence to the open one for the same rule and subject). */
export type TicketOpening = Pick<Ticket, 'ruleId' | 'subjectKey' | 'deviceId' | 'deviceKind' | 'priority' | 'title' | 'place'> & {
  /** When the alarm happened, on the device's clock (first/last seen). */
  atMs: number;
  /** When the hub opens the ticket, on the hub's clock (created; KPIs and SLAs count from it). Default atMs. */
  nowMs?: number;
  value?: number | null;
  /** The alarm's device clock was implausible (the ticket is flagged; it stays flagged). */
  clockSuspect?: boolean;
};

export interface TicketFilter {
  gridId?: string;
  /** Any of these grids (a scope); an empty list matches nothing. */
  gridIds?: readonly string[];
  status?: TicketStatus[];
  open?: boolean;
  priority?: Priority[];
  estateId?: string;
  deviceKind?: DeviceKind;
  deviceId?: string;
  assigneeId?: string;
  department?: Department;
  incidentId?: string;
  ruleId?: string;
  /** Tickets with at least one deadline missed. */
  overdue?: boolean;
  /** Created at or after. */
  sinceMs?: number;
  limit?: number;
  offset?: number;
}

export type { Incident };

export interface Changed {
  ticket: Ticket;
  transitions: TicketTransition[];
}

type Db = Kysely<any>;

/** The columns of an alert-state row, in the order `alertToRow` writes them. */
const ALERT_COLUMNS = ['rule_id', 'subject_key', 'device_id', 'state', 'active_at_ms', 'pending_seen_ms', 'fired_at_ms', 'resolved_at_ms', 'last_sample_ms', 'value', 'memory', 'updated_ms'] as const satisfies readonly (keyof AlertRow)[];
/** Rows per upsert statement: a batch is cut greedily into these (at most 12 x 256 bound values). */
const ALERT_CHUNKS = [256, 64, 16, 4, 1];

function alertUpsert(tx: Transaction<any>, rows: AlertRow[]) {
  return tx
    .insertInto('alert_states')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['rule_id', 'subject_key']).doUpdateSet((eb) => ({
        state: eb.ref('excluded.state'),
        active_at_ms: eb.ref('excluded.active_at_ms'),
        pending_seen_ms: eb.ref('excluded.pending_seen_ms'),
        fired_at_ms: eb.ref('excluded.fired_at_ms'),
        resolved_at_ms: eb.ref('excluded.resolved_at_ms'),
        last_sample_ms: eb.ref('excluded.last_sample_ms'),
        value: eb.ref('excluded.value'),
        memory: eb.ref('excluded.memory'),
        updated_ms: eb.ref('excluded.updated_ms'),
      })),
    );
}

/**
 * Persists alert states and tickets (the adapter around the pure cores), over the store
 * package's Kysely instance, on SQLite and PostgreSQL alike. Each write is one transaction (or
 * joins the caller's, `within`); a
 * ticket change is optimistic (version check) and recomputes the ticket's SLA timers, so
 * deadlines are in the database and survive a restart.
 */
export class TicketStore {
  readonly #db: Db;
  readonly #sla: SlaConfig;
  /** The alert-state upsert's SQL by rows per statement (one dialect per store; shared with `within`). */
  readonly #alertUpserts: Map<number, string>;

  constructor(db: Db, opts: { sla?: SlaConfig; alertUpserts?: Map<number, string> } = {}) {
    this.#db = db;
    this.#sla = opts.sla ?? DEFAULT_SLA;
    this.#alertUpserts = opts.alertUpserts ?? new Map();
  }

  get sla(): SlaConfig {
    return this.#sla;
  }

  /** The Kysely instance (or transaction) this store writes with. */
  get db(): Db {
    return this.#db;
  }

  /** Runs `fn` in one new transaction (use `within(tx)` inside it). */
  transaction<T>(fn: (tx: Transaction<any>) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute(fn);
  }

  /** The same store inside a transaction: every write joins it (the engine's one transaction per decision). */
  within(tx: Transaction<any>): TicketStore {
    return new TicketStore(tx, { sla: this.#sla, alertUpserts: this.#alertUpserts });
  }

  /** A write in its own transaction, or in the one this store is bound to (`within`). */
  #write<T>(fn: (tx: Transaction<any>) => Promise<T>): Promise<T> {
    return this.#db.isTransaction ? fn(this.#db as Transaction<any>) : this.#db.transaction().execute(fn);
  }

  // ---------------------------------------------------------------- alert states

  async loadAlerts(): Promise<StoredAlert[]> {
    const rows = await this.#db.selectFrom('alert_states').selectAll().execute();
    return rows.map((r) => alertFromRow(r as AlertRow));
  }

  /**
   * Upserts alert states: the engine's hottest write (every reading a rule observes). Its SQL is
   * built by Kysely once per chunk size and then run as that text with the rows' values (Kysely's
   * builder cost more than SQLite's upsert itself at 5,000 readings/s); chunk sizes are a few
   * fixed ones, so there are few texts and the prepared statements stay cached.
   */
  async saveAlerts(alerts: readonly StoredAlert[], nowMs: number): Promise<void> {
    if (!alerts.length) return;
    await this.#write(async (tx) => {
      for (let i = 0; i < alerts.length; ) {
        const n = ALERT_CHUNKS.find((c) => c <= alerts.length - i)!;
        const rows = alerts.slice(i, (i += n)).map((a) => alertToRow(a, nowMs));
        const params: unknown[] = [];
        for (const r of rows) for (const c of ALERT_COLUMNS) params.push(r[c]);
        const text = this.#alertUpserts.get(n);
        if (text !== undefined) {
          await tx.executeQuery(CompiledQuery.raw(text, params));
          continue;
        }
        const compiled = alertUpsert(tx, rows).compile();
        // Kept only when Kysely orders the values as ALERT_COLUMNS does (else every call builds).
        if (compiled.parameters.length === params.length && compiled.parameters.every((v, k) => v === params[k])) this.#alertUpserts.set(n, compiled.sql);
        await tx.executeQuery(compiled);
      }
    });
  }

  /** Alert-state upserts cached so far, by rows per statement (tests). */
  get cachedAlertUpserts(): number {
    return this.#alertUpserts.size;
  }

  // ---------------------------------------------------------------- tickets

  /**
   * Opens a ticket, or adds an occurrence to the open one for (rule, subject): one atomic upsert
   * on the partial unique index, so concurrent deliveries never make two tickets.
   */
  async openOrRepeat(o: TicketOpening): Promise<{ ticket: Ticket; created: boolean }> {
    const id = randomUUID();
    const fresh: Ticket = {
      id, ruleId: o.ruleId, subjectKey: o.subjectKey, deviceId: o.deviceId, deviceKind: o.deviceKind, priority: o.priority, title: o.title,
      place: o.place, status: 'new', gridId: o.place.grid, assigneeId: null, department: null, incidentId: null, acknowledgedMs: null, acknowledgedBy: null, occurrences: 1,
      firstSeenMs: o.atMs, lastSeenMs: o.atMs, createdMs: o.nowMs ?? o.atMs, dispatchedMs: null, acceptedMs: null, onSiteMs: null, resolvedMs: null,
      closedMs: null, conditionClearedMs: null, escalation: 0, overdue: [], firedTimers: [], returnCount: 0, reopenCount: 0, clockSuspect: !!o.clockSuspect, version: 0,
    };
    return this.#write(async (tx) => {
      const row = (await tx
        .insertInto('tickets')
        .values(ticketToRow(fresh))
        .onConflict((oc) =>
          oc
            .columns(['rule_id', 'subject_key'])
            .where(sql.ref('status'), '<>', sql.lit('closed')) // must match the index predicate literally (SQLite)
            .doUpdateSet((eb) => ({
              occurrences: eb('tickets.occurrences', '+', 1),
              last_seen_ms: sql`case when ${eb.ref('excluded.last_seen_ms')} > ${eb.ref('tickets.last_seen_ms')} then ${eb.ref('excluded.last_seen_ms')} else ${eb.ref('tickets.last_seen_ms')} end`,
              condition_cleared_ms: null,
              clock_suspect: sql`case when ${eb.ref('excluded.clock_suspect')} = 1 then 1 else ${eb.ref('tickets.clock_suspect')} end`,
            })),
        )
        .returningAll()
        .executeTakeFirstOrThrow()) as TicketRow;
      await tx.insertInto('ticket_occurrences').values({ ticket_id: row.id, at_ms: o.atMs, device_id: o.deviceId, value: o.value ?? null }).execute();
      return { ticket: ticketFromRow(row), created: row.id === id };
    });
  }

  async get(id: string): Promise<Ticket | undefined> {
    const row = await this.#db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? ticketFromRow(row as TicketRow) : undefined;
  }

  async findOpen(ruleId: string, subjectKey: string): Promise<Ticket | undefined> {
    const row = await this.#db.selectFrom('tickets').selectAll().where('rule_id', '=', ruleId).where('subject_key', '=', subjectKey).where('status', '<>', 'closed').executeTakeFirst();
    return row ? ticketFromRow(row as TicketRow) : undefined;
  }

  async list(f: TicketFilter = {}): Promise<Ticket[]> {
    const rows = await this.#filtered(f).selectAll().orderBy('created_ms', 'desc').orderBy('id').limit(f.limit ?? 1000).offset(f.offset ?? 0).execute();
    return rows.map((r) => ticketFromRow(r as TicketRow));
  }

  async count(f: TicketFilter = {}): Promise<number> {
    const r = await this.#filtered(f).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  #filtered(f: TicketFilter) {
    let q = this.#db.selectFrom('tickets');
    if (f.gridId) q = q.where('grid_id', '=', f.gridId);
    if (f.gridIds) q = f.gridIds.length ? q.where('grid_id', 'in', f.gridIds) : q.where(sql.lit(1), '=', 0);
    if (f.status?.length) q = q.where('status', 'in', f.status);
    if (f.open) q = q.where('status', '<>', 'closed');
    if (f.priority?.length) q = q.where('priority', 'in', f.priority);
    if (f.estateId) q = q.where('estate_id', '=', f.estateId);
    if (f.deviceKind) q = q.where('device_kind', '=', f.deviceKind);
    if (f.deviceId) q = q.where('device_id', '=', f.deviceId);
    if (f.assigneeId) q = q.where('assignee_id', '=', f.assigneeId);
    if (f.department) q = q.where('department', '=', f.department);
    if (f.incidentId) q = q.where('incident_id', '=', f.incidentId);
    if (f.ruleId) q = q.where('rule_id', '=', f.ruleId);
    if (f.overdue !== undefined) q = q.where('overdue', f.overdue ? '<>' : '=', '[]');
    if (f.sinceMs !== undefined) q = q.where('created_ms', '>=', f.sinceMs);
    return q;
  }

  /** A ticket's occurrences, newest first. */
  async occurrences(ticketId: string, limit = 100): Promise<TicketOccurrence[]> {
    const rows = await this.#db.selectFrom('ticket_occurrences').selectAll().where('ticket_id', '=', ticketId).orderBy('at_ms', 'desc').limit(limit).execute();
    return rows.map((r) => ({ atMs: Number(r.at_ms), deviceId: r.device_id, value: r.value === null ? null : Number(r.value) }));
  }

  async occurrenceCount(ticketId: string): Promise<number> {
    const r = await this.#db.selectFrom('ticket_occurrences').select((eb) => eb.fn.countAll().as('n')).where('ticket_id', '=', ticketId).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async transitions(ticketId: string): Promise<TicketTransition[]> {
    const rows = await this.#db.selectFrom('ticket_transitions').selectAll().where('ticket_id', '=', ticketId).orderBy('version').execute();
    return rows.map((r) => transitionFromRow(r as never));
  }

  /** Applies one action (pure table) and persists it with its transition and timers. */
  async apply(id: string, action: TicketAction, actor: Actor, nowMs: number): Promise<Changed> {
    return this.#change(id, (t) => {
      const r = applyTicketAction(t, action, actor, nowMs);
      return { ticket: r.ticket, transitions: [r.transition] };
    });
  }

  /**
   * Fires the ticket's due SLA timers (warnings, overdue marks, escalations) in one change;
   * `target(level, ticket)` names who an escalation goes to.
   */
  async fireTimers(id: string, nowMs: number, target: (level: number, t: Ticket) => { to: string; people: string[] }): Promise<Changed & { fired: TimerAction[] }> {
    const fired: TimerAction[] = [];
    const changed = await this.#change(id, (t) => {
      const transitions: TicketTransition[] = [];
      let cur = t;
      fired.length = 0;
      for (const timer of dueTimers(t, nowMs, this.#sla)) {
        const a = timer.action;
        if (!timerSays(cur, a, nowMs)) {
          cur = { ...cur, firedTimers: [...cur.firedTimers, timer.key] };
          continue;
        }
        if (a.type !== 'escalate' || a.level > cur.escalation) {
          const action: TicketAction = a.type === 'escalate' ? { type: 'escalate', level: a.level, ...target(a.level, cur) } : a;
          const r = applyTicketAction(cur, action, SYSTEM, nowMs);
          cur = r.ticket;
          transitions.push(r.transition);
          fired.push(a);
        }
        cur = { ...cur, firedTimers: [...cur.firedTimers, timer.key] };
      }
      return { ticket: cur, transitions };
    });
    return { ...changed, fired };
  }

  /** Tickets with a timer due at `nowMs`. */
  async dueTicketIds(nowMs: number): Promise<string[]> {
    const rows = await this.#db.selectFrom('ticket_timers').select('ticket_id').distinct().where('due_ms', '<=', nowMs).execute();
    return rows.map((r) => r.ticket_id as string);
  }

  async #change(id: string, fn: (t: Ticket) => Changed): Promise<Changed> {
    for (let attempt = 0; ; attempt++) {
      const result = await this.#write(async (tx) => {
        const row = await tx.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirst();
        if (!row) throw rulesError('RULES_ERR_TICKET_NOT_FOUND', [id], { ticketId: id });
        const before = ticketFromRow(row as TicketRow);
        const { ticket, transitions } = fn(before);
        // Occurrences are counted by the upsert, never overwritten here.
        const { occurrences: _o, last_seen_ms: _l, ...cols } = ticketToRow({ ...ticket, version: before.version + transitions.length });
        const res = await tx.updateTable('tickets').set(cols).where('id', '=', id).where('version', '=', before.version).executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) return null;
        const saved = { ...ticket, occurrences: before.occurrences, lastSeenMs: before.lastSeenMs, version: before.version + transitions.length };
        if (transitions.length) await tx.insertInto('ticket_transitions').values(transitions.map((tr, i) => transitionToRow(tr, before.version + i + 1))).execute();
        await this.#writeTimers(tx, saved);
        return { ticket: saved, transitions };
      });
      if (result) return result;
      if (attempt >= 5) throw rulesError('RULES_ERR_TICKET_CONFLICT', [id], { ticketId: id });
    }
  }

  async #writeTimers(tx: Transaction<any>, t: Ticket): Promise<void> {
    await tx.deleteFrom('ticket_timers').where('ticket_id', '=', t.id).execute();
    const fired = new Set(t.firedTimers);
    const pending = ticketTimers(t, this.#sla).filter((x) => !fired.has(x.key));
    if (pending.length) await tx.insertInto('ticket_timers').values(pending.map((x) => ({ ticket_id: t.id, timer_key: x.key, due_ms: x.dueMs }))).execute();
  }

  // ---------------------------------------------------------------- incidents

  async createIncident(i: Omit<Incident, 'id'>, ticketIds: string[]): Promise<Incident> {
    const incident: Incident = { id: randomUUID(), ...i };
    await this.#write(async (tx) => {
      await tx
        .insertInto('incidents')
        .values({ id: incident.id, kind: i.kind, priority: i.priority, title: i.title, grid_id: i.gridId, estate_id: i.estateId, building_id: i.buildingId, created_ms: i.createdMs })
        .execute();
      if (ticketIds.length) await tx.updateTable('tickets').set({ incident_id: incident.id }).where('id', 'in', ticketIds).execute();
    });
    return incident;
  }

  async incident(id: string): Promise<Incident | undefined> {
    const r = await this.#db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
    return r
      ? { id: r.id, kind: r.kind, priority: r.priority, title: r.title, gridId: r.grid_id, estateId: r.estate_id, buildingId: r.building_id, createdMs: Number(r.created_ms) }
      : undefined;
  }

  /** Open tickets of one rule in one building seen since `sinceMs` (for correlation). */
  async recentAlarms(ruleId: string, buildingId: string, sinceMs: number): Promise<AlarmRef[]> {
    const rows = await this.#db
      .selectFrom('tickets')
      .select(['id', 'device_id', 'building_id', 'last_seen_ms', 'incident_id'])
      .where('rule_id', '=', ruleId)
      .where('building_id', '=', buildingId)
      .where('status', 'in', OPEN_STATUSES)
      .where('last_seen_ms', '>=', sinceMs)
      .execute();
    return rows.map((r) => ({ ticketId: r.id, deviceId: r.device_id, buildingId: r.building_id, lastSeenMs: Number(r.last_seen_ms), incidentId: r.incident_id }));
  }

  // ---------------------------------------------------------------- duty rosters

  async addShifts(shifts: readonly RosterShift[]): Promise<void> {
    if (!shifts.length) return;
    await this.#db
      .insertInto('duty_rosters')
      .values(shifts.map((s) => ({ grid_id: s.gridId, warden_id: s.wardenId, from_ms: s.fromMs, to_ms: s.toMs })))
      .onConflict((oc) => oc.columns(['grid_id', 'warden_id', 'from_ms']).doUpdateSet((eb) => ({ to_ms: eb.ref('excluded.to_ms') })))
      .execute();
  }

  async shifts(gridId: string, atMs: number): Promise<RosterShift[]> {
    return this.listShifts({ gridId, fromMs: atMs, toMs: atMs + 1 });
  }

  /** Shifts of a grid (or of the given grids) overlapping [fromMs, toMs). */
  async listShifts(f: { gridId?: string; gridIds?: readonly string[]; fromMs: number; toMs: number }): Promise<RosterShift[]> {
    let q = this.#db.selectFrom('duty_rosters').selectAll().where('from_ms', '<', f.toMs).where('to_ms', '>', f.fromMs);
    if (f.gridId) q = q.where('grid_id', '=', f.gridId);
    if (f.gridIds) q = f.gridIds.length ? q.where('grid_id', 'in', f.gridIds) : q.where(sql.lit(1), '=', 0);
    const rows = await q.orderBy('grid_id').orderBy('from_ms').execute();
    return rows.map((r) => ({ gridId: r.grid_id, wardenId: r.warden_id, fromMs: Number(r.from_ms), toMs: Number(r.to_ms) }));
  }

  async removeShift(s: Pick<RosterShift, 'gridId' | 'wardenId' | 'fromMs'>): Promise<boolean> {
    const r = await this.#db.deleteFrom('duty_rosters').where('grid_id', '=', s.gridId).where('warden_id', '=', s.wardenId).where('from_ms', '=', s.fromMs).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
