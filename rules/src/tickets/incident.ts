import type { Department, Ticket, TicketAction } from './model.ts';
import { canApply } from './lifecycle.ts';

/**
 * One action on an incident (a confirmed fire) becomes one action on each of its open tickets
 * (pure): the tickets follow the incident. Tickets already where the action would put them are
 * left alone; a ticket the lifecycle table refuses the action is left alone too.
 *   acknowledge  every ticket not yet acknowledged (接警)
 *   dispatch     new / returned tickets are dispatched to the warden; tickets in someone else's
 *                hands are transferred to them (流转 within their grid)
 *   whistle      every ticket not already with that department goes to it (吹哨)
 */
export type IncidentCommand =
  | { type: 'acknowledge'; note?: string }
  | { type: 'dispatch'; assigneeId: string; note?: string }
  | { type: 'whistle'; department: Department; note?: string };

export function incidentPlan(tickets: readonly Ticket[], cmd: IncidentCommand): { ticketId: string; action: TicketAction }[] {
  const plan: { ticketId: string; action: TicketAction }[] = [];
  for (const t of tickets) {
    if (t.status === 'closed') continue;
    let action: TicketAction | null = null;
    if (cmd.type === 'acknowledge') action = t.acknowledgedMs === null ? { type: 'acknowledge', note: cmd.note } : null;
    else if (cmd.type === 'whistle') action = t.status === 'with_department' && t.department === cmd.department ? null : { type: 'whistle', department: cmd.department, note: cmd.note };
    else if (t.status === 'new' || t.status === 'returned') action = { type: 'dispatch', assigneeId: cmd.assigneeId, note: cmd.note };
    else if (t.assigneeId !== cmd.assigneeId) action = { type: 'transfer', gridId: t.gridId, assigneeId: cmd.assigneeId, note: cmd.note };
    if (action && canApply(t, action) === null) plan.push({ ticketId: t.id, action });
  }
  return plan;
}
