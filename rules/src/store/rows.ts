import type { DeviceKind } from '@gridhub/core';
import type { AlertState, AlertStateName } from '../alert/step.ts';
import type { KindMemory, Priority } from '../kinds/common.ts';
import type { Department, Phase, Ticket, TicketStatus, TicketTransition } from '../tickets/model.ts';

/** Row shapes of the 0101_tickets migration and their mapping to the domain types. */
export interface TicketRow {
  id: string;
  rule_id: string;
  subject_key: string;
  device_id: string;
  device_kind: string;
  priority: string;
  title: string;
  street_id: string;
  community_id: string;
  origin_grid_id: string;
  estate_id: string;
  building_id: string | null;
  unit_id: string | null;
  status: string;
  grid_id: string;
  assignee_id: string | null;
  department: string | null;
  incident_id: string | null;
  acknowledged_ms: number | null;
  acknowledged_by: string | null;
  occurrences: number;
  first_seen_ms: number;
  last_seen_ms: number;
  created_ms: number;
  dispatched_ms: number | null;
  accepted_ms: number | null;
  on_site_ms: number | null;
  resolved_ms: number | null;
  closed_ms: number | null;
  condition_cleared_ms: number | null;
  escalation: number;
  overdue: string;
  fired_timers: string;
  return_count: number;
  reopen_count: number;
  clock_suspect: number;
  version: number;
}

const n = (v: unknown): number => Number(v);
const nn = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function ticketFromRow(r: TicketRow): Ticket {
  return {
    id: r.id,
    ruleId: r.rule_id,
    subjectKey: r.subject_key,
    deviceId: r.device_id,
    deviceKind: r.device_kind as DeviceKind,
    priority: r.priority as Priority,
    title: r.title,
    place: { street: r.street_id, community: r.community_id, grid: r.origin_grid_id, estate: r.estate_id, building: r.building_id, unit: r.unit_id },
    status: r.status as TicketStatus,
    gridId: r.grid_id,
    assigneeId: r.assignee_id,
    department: r.department as Department | null,
    incidentId: r.incident_id,
    acknowledgedMs: nn(r.acknowledged_ms),
    acknowledgedBy: r.acknowledged_by ?? null,
    occurrences: n(r.occurrences),
    firstSeenMs: n(r.first_seen_ms),
    lastSeenMs: n(r.last_seen_ms),
    createdMs: n(r.created_ms),
    dispatchedMs: nn(r.dispatched_ms),
    acceptedMs: nn(r.accepted_ms),
    onSiteMs: nn(r.on_site_ms),
    resolvedMs: nn(r.resolved_ms),
    closedMs: nn(r.closed_ms),
    conditionClearedMs: nn(r.condition_cleared_ms),
    escalation: n(r.escalation),
    overdue: JSON.parse(r.overdue) as Phase[],
    firedTimers: JSON.parse(r.fired_timers) as string[],
    returnCount: n(r.return_count),
    reopenCount: n(r.reopen_count),
    clockSuspect: n(r.clock_suspect) === 1,
    version: n(r.version),
  };
}

export function ticketToRow(t: Ticket): TicketRow {
  return {
    id: t.id,
    rule_id: t.ruleId,
    subject_key: t.subjectKey,
    device_id: t.deviceId,
    device_kind: t.deviceKind,
    priority: t.priority,
    title: t.title,
    street_id: t.place.street,
    community_id: t.place.community,
    origin_grid_id: t.place.grid,
    estate_id: t.place.estate,
    building_id: t.place.building,
    unit_id: t.place.unit,
    status: t.status,
    grid_id: t.gridId,
    assignee_id: t.assigneeId,
    department: t.department,
    incident_id: t.incidentId,
    acknowledged_ms: t.acknowledgedMs,
    acknowledged_by: t.acknowledgedBy,
    occurrences: t.occurrences,
    first_seen_ms: t.firstSeenMs,
    last_seen_ms: t.lastSeenMs,
    created_ms: t.createdMs,
    dispatched_ms: t.dispatchedMs,
    accepted_ms: t.acceptedMs,
    on_site_ms: t.onSiteMs,
    resolved_ms: t.resolvedMs,
    closed_ms: t.closedMs,
    condition_cleared_ms: t.conditionClearedMs,
    escalation: t.escalation,
    overdue: JSON.stringify(t.overdue),
    fired_timers: JSON.stringify(t.firedTimers),
    return_count: t.returnCount,
    reopen_count: t.reopenCount,
    clock_suspect: t.clockSuspect ? 1 : 0,
    version: t.version,
  };
}

export interface TransitionRow {
  ticket_id: string;
  version: number;
  action: string;
  from_status: string;
  to_status: string;
  by_id: string;
  at_ms: number;
  note: string | null;
  data: string | null;
}

export function transitionToRow(t: TicketTransition, version: number): TransitionRow {
  return { ticket_id: t.ticketId, version, action: t.action, from_status: t.from, to_status: t.to, by_id: t.by, at_ms: t.atMs, note: t.note, data: t.data ? JSON.stringify(t.data) : null };
}

export function transitionFromRow(r: TransitionRow): TicketTransition {
  return {
    ticketId: r.ticket_id,
    action: r.action as TicketTransition['action'],
    from: r.from_status as TicketStatus,
    to: r.to_status as TicketStatus,
    by: r.by_id,
    atMs: n(r.at_ms),
    note: r.note,
    data: r.data ? (JSON.parse(r.data) as Record<string, unknown>) : null,
  };
}

/** One rule's alert state for one subject, as persisted. */
export interface StoredAlert {
  ruleId: string;
  subjectKey: string;
  deviceId: string;
  alert: AlertState;
  memory: KindMemory;
}

export interface AlertRow {
  rule_id: string;
  subject_key: string;
  device_id: string;
  state: string;
  active_at_ms: number | null;
  pending_seen_ms: number | null;
  fired_at_ms: number | null;
  resolved_at_ms: number | null;
  last_sample_ms: number | null;
  value: number | null;
  memory: string;
  updated_ms: number;
}

export function alertToRow(a: StoredAlert, nowMs: number): AlertRow {
  const s = a.alert;
  return {
    rule_id: a.ruleId,
    subject_key: a.subjectKey,
    device_id: a.deviceId,
    state: s.state,
    active_at_ms: s.activeAtMs,
    pending_seen_ms: s.pendingSeenMs,
    fired_at_ms: s.firedAtMs,
    resolved_at_ms: s.resolvedAtMs,
    last_sample_ms: s.lastSampleMs,
    value: s.value,
    memory: JSON.stringify(a.memory),
    updated_ms: nowMs,
  };
}

export function alertFromRow(r: AlertRow): StoredAlert {
  return {
    ruleId: r.rule_id,
    subjectKey: r.subject_key,
    deviceId: r.device_id,
    alert: {
      state: r.state as AlertStateName,
      activeAtMs: nn(r.active_at_ms),
      pendingSeenMs: nn(r.pending_seen_ms),
      firedAtMs: nn(r.fired_at_ms),
      resolvedAtMs: nn(r.resolved_at_ms),
      lastSampleMs: nn(r.last_sample_ms),
      value: nn(r.value),
    },
    memory: JSON.parse(r.memory) as KindMemory,
  };
}
