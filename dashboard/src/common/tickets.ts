import type { Department, Incident, LiveTicket, PersonAction, Ticket, TicketOccurrence, TicketTransition, UserRole } from '@gridhub/core';
import { api, post } from '../api.ts';
import { mayTake, PERSON_ACTIONS } from '../core.ts';

/** A ticket with its whole history, as the tickets API serves it. */
export interface TicketDetail {
  ticket: Ticket;
  history: TicketTransition[];
  occurrences: TicketOccurrence[];
  incident: (Incident & { ticketIds: string[] }) | null;
  deadlines: Record<string, number | null>;
}

export async function ticketDetail(id: string): Promise<TicketDetail> {
  return api<TicketDetail>(`/api/tickets/${encodeURIComponent(id)}`);
}

export interface ActionInput {
  note?: string;
  reason?: string;
  assigneeId?: string;
  gridId?: string;
  department?: Department;
  photos?: string[];
}

/** One person action (POST /api/tickets/:id/<route>; 吹哨 is `escalate`); returns the changed ticket. */
export async function act(id: string, action: PersonAction, input: ActionInput = {}, status?: Ticket['status']): Promise<Ticket> {
  // 派单 from any open ticket: one in someone's hands is handed on within its grid (流转).
  const handOn = action === 'dispatch' && status !== undefined && status !== 'new' && status !== 'returned';
  const route = action === 'whistle' ? 'escalate' : handOn ? 'transfer' : action;
  const body = handOn ? { ...input, gridId: input.gridId ?? (await ticketDetail(id)).ticket.gridId } : input;
  const res = await post<{ ticket: Ticket }>(`/api/tickets/${encodeURIComponent(id)}/${route}`, body);
  return res.ticket;
}

/** One action on a whole incident (POST /api/incidents/:id/<route>): the tickets it changed. */
export async function actIncident(id: string, action: 'acknowledge' | 'dispatch' | 'whistle', input: ActionInput = {}): Promise<LiveTicket[]> {
  const route = action === 'whistle' ? 'escalate' : action;
  const res = await post<{ tickets: LiveTicket[] }>(`/api/incidents/${encodeURIComponent(id)}/${route}`, input);
  return res.tickets;
}

/**
 * The states each action starts from, for showing buttons only (the hub's lifecycle table in
 * @gridhub/rules decides; a refused action comes back as HUB_ERR_TICKET_TRANSITION).
 */
const STARTS_FROM: Record<PersonAction, readonly Ticket['status'][]> = {
  acknowledge: ['new', 'dispatched', 'returned', 'accepted', 'on_site', 'with_department', 'resolved'],
  // From any open ticket: in someone's hands it goes on as a transfer within the grid.
  dispatch: ['new', 'returned', 'dispatched', 'accepted', 'on_site'],
  accept: ['dispatched'],
  arrive: ['accepted'],
  resolve: ['on_site', 'with_department'],
  close: ['resolved'],
  return: ['dispatched', 'accepted'],
  transfer: ['new', 'returned', 'dispatched', 'accepted', 'on_site'],
  whistle: ['new', 'dispatched', 'accepted', 'on_site'],
  reopen: ['resolved'],
};

export function allowedActions(t: Pick<LiveTicket, 'status' | 'conditionClearedMs' | 'acknowledgedMs'>, role: UserRole): PersonAction[] {
  return PERSON_ACTIONS.filter(
    (a) =>
      mayTake(role, a) &&
      (a !== 'acknowledge' || t.acknowledgedMs === null) &&
      (STARTS_FROM[a].includes(t.status) || (a === 'close' && t.status !== 'closed' && t.conditionClearedMs !== null)),
  );
}
