import type { DeviceKind, DevicePlace } from '@gridhub/core';
import type { Priority } from '../kinds/common.ts';

/**
 * A ticket (工单): the human axis of an alarm, apart from the alarm's machine state.
 *   new -> dispatched -> accepted -> on_site -> resolved -> closed
 * plus returned (退单), with_department (吹哨), and reopen when verification fails.
 */
export const TICKET_STATUSES = ['new', 'dispatched', 'returned', 'accepted', 'on_site', 'with_department', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const OPEN_STATUSES: readonly TicketStatus[] = TICKET_STATUSES.filter((s) => s !== 'closed');

/** Departments a warden blows the whistle for (网格吹哨、部门报到). */
export const DEPARTMENTS = ['fire_brigade', 'municipal_works', 'sanitation', 'elevator_maintenance'] as const;
export type Department = (typeof DEPARTMENTS)[number];

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
  /** Optimistic concurrency: bumped on every change. */
  version: number;
}

export type ActorRole = 'system' | 'operator' | 'grid_leader' | 'warden' | 'department' | 'admin';
export interface Actor {
  id: string;
  role: ActorRole;
}
export const SYSTEM: Actor = Object.freeze({ id: 'system', role: 'system' });

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

/** Every action on a ticket; each has one row in the transition table (lifecycle.ts). */
export type TicketAction =
  | { type: 'dispatch'; assigneeId: string; note?: string }
  | { type: 'accept'; note?: string }
  | { type: 'arrive'; note?: string }
  | { type: 'resolve'; note: string; photos?: string[] }
  | { type: 'close'; note?: string }
  | { type: 'return'; reason: string }
  | { type: 'transfer'; gridId: string; assigneeId: string; note?: string }
  | { type: 'whistle'; department: Department; note?: string }
  | { type: 'reopen'; reason: string }
  | { type: 'condition_cleared' }
  | { type: 'escalate'; level: number; to: string; note?: string }
  | { type: 'warn'; phase: Phase; deadlineMs: number }
  | { type: 'overdue'; phase: Phase; deadlineMs: number }
  | { type: 'occurrence'; atMs: number };
export type TicketActionName = TicketAction['type'];
