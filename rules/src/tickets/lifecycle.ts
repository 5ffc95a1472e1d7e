import { rulesError } from '../errors.ts';
import type { Actor, Ticket, TicketAction, TicketActionName, TicketStatus, TicketTransition } from './model.ts';

/**
 * The ticket lifecycle as a pure transition table: for each action, the states it may start
 * from and what it does. Anything else is refused with RULES_ERR_TICKET_TRANSITION. Every
 * accepted action yields a transition record (who, when, from, to, note).
 */
type Act<A extends TicketAction> = (t: Ticket, a: A, nowMs: number, actor: Actor) => Partial<Ticket>;
interface Row<A extends TicketAction> {
  from: readonly TicketStatus[] | 'open';
  /** Extra guard: a reason when the action is refused for this ticket. */
  guard?: (t: Ticket, a: A) => string | null;
  apply: Act<A>;
}
type Table = { [K in TicketActionName]: Row<Extract<TicketAction, { type: K }>> };

const IN_HAND = ['dispatched', 'accepted', 'on_site'] as const;

export const TICKET_TABLE: Table = {
  // 接警: a person in the control room has seen it. Apart from dispatch: an auto-dispatched alarm
  // still needs it, and it changes no status (the warden's loop goes on as it was).
  acknowledge: {
    from: 'open',
    guard: (t) => (t.acknowledgedMs === null ? null : `already acknowledged by ${t.acknowledgedBy ?? 'someone'}`),
    apply: (_t, _a, now, actor) => ({ acknowledgedMs: now, acknowledgedBy: actor.id }),
  },
  dispatch: { from: ['new', 'returned'], apply: (_t, a, now) => ({ status: 'dispatched', assigneeId: a.assigneeId, dispatchedMs: now, escalation: 0 }) },
  accept: { from: ['dispatched'], apply: (t, _a, now) => ({ status: 'accepted', acceptedMs: t.acceptedMs ?? now }) },
  arrive: { from: ['accepted'], apply: (t, _a, now) => ({ status: 'on_site', onSiteMs: t.onSiteMs ?? now }) },
  whistle: { from: ['new', ...IN_HAND], apply: (_t, a) => ({ status: 'with_department', department: a.department }) },
  resolve: {
    from: ['on_site', 'with_department'],
    guard: (_t, a) => (a.note.trim() ? null : 'a resolution needs a note'),
    apply: (_t, _a, now) => ({ status: 'resolved', resolvedMs: now }),
  },
  close: {
    from: 'open',
    // A person closes: after resolution, or at once when the condition cleared by itself.
    guard: (t, a) =>
      t.status !== 'resolved' && t.conditionClearedMs === null
        ? 'only a resolved ticket, or one whose condition cleared, can be closed'
        : a.note.trim() ? null : 'closing (核查办结) needs a note of what was verified',
    apply: (_t, _a, now) => ({ status: 'closed', closedMs: now }),
  },
  return: {
    from: ['dispatched', 'accepted'],
    guard: (_t, a) => (a.reason.trim() ? null : 'returning a ticket (退单) needs a reason'),
    apply: (t) => ({ status: 'returned', assigneeId: null, acceptedMs: null, returnCount: t.returnCount + 1 }),
  },
  transfer: {
    from: ['new', 'returned', ...IN_HAND],
    apply: (_t, a, now) => ({ status: 'dispatched', gridId: a.gridId, assigneeId: a.assigneeId, dispatchedMs: now, acceptedMs: null, onSiteMs: null, escalation: 0 }),
  },
  reopen: {
    from: ['resolved'],
    guard: (_t, a) => (a.reason.trim() ? null : 'reopening needs the reason verification failed'),
    apply: (t, _a, now) => ({ status: 'dispatched', dispatchedMs: now, acceptedMs: null, onSiteMs: null, resolvedMs: null, department: null, escalation: 0, overdue: [], reopenCount: t.reopenCount + 1 }),
  },
  condition_cleared: { from: 'open', apply: (t, _a, now) => ({ conditionClearedMs: t.conditionClearedMs ?? now }) },
  escalate: { from: 'open', guard: (t, a) => (a.level > t.escalation ? null : 'already escalated that far'), apply: (_t, a) => ({ escalation: a.level }) },
  warn: { from: 'open', apply: () => ({}) },
  overdue: { from: 'open', apply: (t, a) => ({ overdue: t.overdue.includes(a.phase) ? t.overdue : [...t.overdue, a.phase] }) },
  join_incident: {
    from: 'open',
    guard: (t, a) => (t.incidentId === a.incidentId ? 'already in that incident' : null),
    apply: (_t, a) => ({ incidentId: a.incidentId }),
  },
  occurrence: {
    from: 'open',
    apply: (t, a) => ({ occurrences: t.occurrences + 1, lastSeenMs: Math.max(t.lastSeenMs, a.atMs), conditionClearedMs: null }),
  },
};

export function canApply(t: Ticket, action: TicketAction): string | null {
  const row = TICKET_TABLE[action.type] as Row<TicketAction>;
  const allowed = row.from === 'open' ? t.status !== 'closed' : row.from.includes(t.status);
  if (!allowed) return `cannot ${action.type} a ${t.status} ticket`;
  return row.guard?.(t, action) ?? null;
}

function noteOf(a: TicketAction): string | null {
  if ('reason' in a) return a.reason;
  if ('note' in a && a.note !== undefined) return a.note;
  return null;
}

function dataOf(a: TicketAction): Record<string, unknown> | null {
  const { type: _type, ...rest } = a as TicketAction & Record<string, unknown>;
  delete rest.note;
  delete rest.reason;
  return Object.keys(rest).length ? rest : null;
}

/** Pure: applies one action, or throws RULES_ERR_TICKET_TRANSITION. */
export function applyTicketAction(t: Ticket, action: TicketAction, actor: Actor, nowMs: number): { ticket: Ticket; transition: TicketTransition } {
  const refused = canApply(t, action);
  if (refused) throw rulesError('RULES_ERR_TICKET_TRANSITION', [action.type, t.status], { ticketId: t.id, status: t.status, action: action.type, reason: refused });
  const row = TICKET_TABLE[action.type] as Row<TicketAction>;
  const ticket: Ticket = { ...t, ...row.apply(t, action, nowMs, actor), version: t.version + 1 };
  return {
    ticket,
    transition: { ticketId: t.id, action: action.type, from: t.status, to: ticket.status, by: actor.id, atMs: nowMs, note: noteOf(action), data: dataOf(action) },
  };
}
