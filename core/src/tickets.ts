import type { DeviceKind } from './kinds.ts';
import type { DevicePlace } from './site.ts';

/**
 * The ticket (工单) and alert domain as the screens, the API and the rules engine share it.
 * Pure types and constant lists; the lifecycle table, SLA timers and stores live in @gridhub/rules.
 */

export const PRIORITIES = ['P1', 'P2', 'P3'] as const;
export type Priority = (typeof PRIORITIES)[number];

/**
 *   new -> dispatched -> accepted -> on_site -> resolved -> closed
 * plus returned (退单), with_department (吹哨), and reopen when verification fails.
 */
export const TICKET_STATUSES = ['new', 'dispatched', 'returned', 'accepted', 'on_site', 'with_department', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
/** The brief's name for the same thing. */
export type TicketState = TicketStatus;
export const OPEN_STATUSES: readonly TicketStatus[] = TICKET_STATUSES.filter((s) => s !== 'closed');

export const TICKET_STATUS_LABELS: Record<TicketStatus, { zh: string; en: string }> = {
  new: { zh: '待派单', en: 'New' },
  dispatched: { zh: '已派单', en: 'Dispatched' },
  returned: { zh: '已退单', en: 'Returned' },
  accepted: { zh: '已接单', en: 'Accepted' },
  on_site: { zh: '已到场', en: 'On site' },
  with_department: { zh: '部门处置中', en: 'With department' },
  resolved: { zh: '待核查', en: 'Resolved' },
  closed: { zh: '已办结', en: 'Closed' },
};

/** Departments a warden blows the whistle for (网格吹哨、部门报到). */
export const DEPARTMENTS = ['fire_brigade', 'municipal_works', 'sanitation', 'elevator_maintenance'] as const;
export type Department = (typeof DEPARTMENTS)[number];
export const DEPARTMENT_LABELS: Record<Department, { zh: string; en: string }> = {
  fire_brigade: { zh: '消防救援', en: 'Fire brigade' },
  municipal_works: { zh: '市政', en: 'Municipal works' },
  sanitation: { zh: '环卫', en: 'Sanitation' },
  elevator_maintenance: { zh: '电梯维保', en: 'Elevator maintenance' },
};

/** The escalation chain up the hierarchy: warden -> grid leader -> community -> street office. */
export const ESCALATION_LEVELS = ['warden', 'grid_leader', 'community', 'street'] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];

/** The three deadlines of an SLA. */
export const PHASES = ['accept', 'arrive', 'close'] as const;
export type Phase = (typeof PHASES)[number];

export interface Ticket {
  id: string;
  ruleId: string;
  /** The alert subject: the device id, or a place (`unit:u1`) for per-place count rules. */
  subjectKey: string;
  deviceId: string;
  deviceKind: DeviceKind;
  priority: Priority;
  title: string;
  place: DevicePlace;
  status: TicketStatus;
  /** Grid the ticket belongs to now (changes on transfer 流转). */
  gridId: string;
  assigneeId: string | null;
  department: Department | null;
  incidentId: string | null;
  /** When a person in the control room took the alarm (接警), and who: null until then. */
  acknowledgedMs: number | null;
  acknowledgedBy: string | null;
  occurrences: number;
  firstSeenMs: number;
  lastSeenMs: number;
  createdMs: number;
  dispatchedMs: number | null;
  acceptedMs: number | null;
  onSiteMs: number | null;
  resolvedMs: number | null;
  closedMs: number | null;
  /** The alarm cleared by itself (a person still closes the ticket). */
  conditionClearedMs: number | null;
  escalation: number;
  overdue: Phase[];
  /** Timer keys already acted on, so each warning / escalation happens once. */
  firedTimers: string[];
  returnCount: number;
  reopenCount: number;
  /** An alarm of this ticket came with an implausible device clock (kept, flagged: docs/protocol.md "Time"). */
  clockSuspect?: boolean;
  /** Optimistic concurrency: bumped on every change. */
  version: number;
}

export type ActorRole = 'system' | 'admin' | 'operator' | 'grid_leader' | 'warden' | 'department' | 'community_officer' | 'street_officer';
export interface Actor {
  id: string;
  role: ActorRole;
}
export const SYSTEM: Actor = Object.freeze({ id: 'system', role: 'system' });

/** Every action on a ticket; each has one row in the transition table (@gridhub/rules lifecycle). */
export type TicketAction =
  | { type: 'acknowledge'; note?: string }
  | { type: 'dispatch'; assigneeId: string; note?: string; /** How the engine chose (auto-dispatch): shown in words by the screens. */ via?: 'roster' | 'grid_leader' }
  | { type: 'accept'; note?: string }
  | { type: 'arrive'; note?: string }
  | { type: 'resolve'; note: string; photos?: string[] }
  | { type: 'close'; /** What the verification found (核查): required. */ note: string }
  | { type: 'return'; reason: string }
  | { type: 'transfer'; gridId: string; assigneeId: string; note?: string }
  | { type: 'whistle'; department: Department; note?: string }
  | { type: 'reopen'; reason: string }
  | { type: 'condition_cleared' }
  | { type: 'escalate'; level: number; to: string; /** Who it landed on: the grid leader, or the officers of that level (社区干部, 街道干部). */ people?: string[]; note?: string }
  | { type: 'warn'; phase: Phase; deadlineMs: number }
  | { type: 'overdue'; phase: Phase; deadlineMs: number }
  | { type: 'occurrence'; atMs: number }
  | { type: 'join_incident'; incidentId: string };
export type TicketActionName = TicketAction['type'];

/** The actions a person takes (one API route each); the rest are the system's. */
export const PERSON_ACTIONS = ['acknowledge', 'dispatch', 'accept', 'arrive', 'resolve', 'close', 'return', 'transfer', 'whistle', 'reopen'] as const satisfies readonly TicketActionName[];
export type PersonAction = (typeof PERSON_ACTIONS)[number];

export const TICKET_ACTION_LABELS: Record<PersonAction, { zh: string; en: string }> = {
  acknowledge: { zh: '接警', en: 'Acknowledge' },
  dispatch: { zh: '派单', en: 'Dispatch' },
  accept: { zh: '接单', en: 'Accept' },
  arrive: { zh: '到场', en: 'Arrive' },
  resolve: { zh: '处置完成', en: 'Resolve' },
  close: { zh: '核查办结', en: 'Verify and close' },
  return: { zh: '退单', en: 'Return' },
  transfer: { zh: '流转', en: 'Transfer' },
  whistle: { zh: '吹哨（上报部门）', en: 'Escalate to a department' },
  reopen: { zh: '重新派单', en: 'Reopen' },
};

export interface TicketTransition {
  ticketId: string;
  action: TicketActionName;
  from: TicketStatus;
  to: TicketStatus;
  by: string;
  atMs: number;
  note: string | null;
  data: Record<string, unknown> | null;
}

/**
 * A P1 or P2 alarm is loud on the desk (flashes, sounds) until a person acknowledges it (接警),
 * whether or not it was dispatched automatically. Pure, shared by the desk and the tests.
 */
export function needsAcknowledgement(t: Pick<Ticket, 'priority' | 'status' | 'acknowledgedMs'>): boolean {
  return t.acknowledgedMs === null && (t.priority === 'P1' || t.priority === 'P2') && t.status !== 'closed' && t.status !== 'resolved';
}

/** The incident-level actions (one route each, `POST /api/incidents/:id/<action>`): every ticket of it follows. */
export const INCIDENT_ACTIONS = ['acknowledge', 'dispatch', 'whistle'] as const satisfies readonly PersonAction[];
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

/** A group of tickets with one cause, e.g. two or more smoke alarms in one building: a confirmed fire. */
export interface Incident {
  id: string;
  kind: string;
  priority: Priority;
  title: string;
  gridId: string;
  estateId: string;
  buildingId: string | null;
  createdMs: number;
}

export interface TicketOccurrence {
  atMs: number;
  deviceId: string;
  value: number | null;
}

// ---- alerts (the machine axis) ----

export const ALERT_STATES = ['inactive', 'pending', 'firing', 'resolved'] as const;
export type AlertStateName = (typeof ALERT_STATES)[number];
export type TransitionReason = 'breach' | 'for_elapsed' | 'cleared' | 'below_clear_level' | 'nodata';

/** One change of a rule's alert state for one subject. */
export interface AlertTransition {
  from: AlertStateName;
  to: AlertStateName;
  atMs: number;
  reason: TransitionReason;
  value: number | null;
}

/**
 * A silence / maintenance window for a device, building or estate, optionally for some rules only:
 * alerts are still evaluated and recorded, but nobody is paged (no ticket is dispatched).
 */
export interface Silence {
  id: string;
  scope: { estate?: string; building?: string; device?: string };
  ruleIds: string[] | null;
  fromMs: number;
  toMs: number;
  reason: string;
}

/**
 * The one internal, typed event stream of rules and tickets: what the realtime layer and
 * notifications subscribe to. Every alert and ticket transition goes onto it.
 */
export type RulesEvent =
  | { type: 'alert'; ruleId: string; subjectKey: string; deviceId: string; priority: Priority; transition: AlertTransition; silenced: Silence | null }
  | { type: 'ticket'; ticket: Ticket; transition: TicketTransition }
  | { type: 'occurrence'; ticket: Ticket; created: boolean }
  | { type: 'incident'; incident: Incident; ticketIds: string[]; joined: boolean };

// ---- KPIs ----

export type KpiGroupBy = 'grid' | 'estate' | 'warden' | 'kind' | 'period' | 'all';
export const KPI_PERIODS = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type KpiPeriod = keyof typeof KPI_PERIODS;

export interface Stat {
  n: number;
  meanMs: number | null;
  medianMs: number | null;
}
export interface Kpi {
  tickets: number;
  closed: number;
  /** 办结率 */
  closureRate: number | null;
  /** Closed tickets that met every SLA deadline of their priority. */
  onTimeRate: number | null;
  /** From creation to the control room's acknowledgement (接警). */
  acknowledge: Stat;
  accept: Stat;
  arrive: Stat;
  close: Stat;
}
