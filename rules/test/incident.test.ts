import { describe, expect, it } from 'vitest';
import { needsAcknowledgement } from '@gridhub/core';
import { applyTicketAction, incidentPlan, kpi, type Actor, type Ticket } from '../src/index.ts';

const operator: Actor = { id: 'operator', role: 'operator' };
const place = { street: 'st', community: 'cm', grid: 'g1', estate: 'hy', building: 'b01', unit: 'u1' };
function ticket(over: Partial<Ticket> = {}): Ticket {
  return {
    id: 't1', ruleId: 'smoke.alarm', subjectKey: 'd1', deviceId: 'd1', deviceKind: 'smoke', priority: 'P1', title: 'Smoke', place,
    status: 'new', gridId: 'g1', assigneeId: null, department: null, incidentId: 'i1', acknowledgedMs: null, acknowledgedBy: null, occurrences: 1,
    firstSeenMs: 0, lastSeenMs: 0, createdMs: 0, dispatchedMs: null, acceptedMs: null, onSiteMs: null, resolvedMs: null, closedMs: null,
    conditionClearedMs: null, escalation: 0, overdue: [], firedTimers: [], returnCount: 0, reopenCount: 0, version: 0, ...over,
  };
}

describe('acknowledgement (接警), apart from dispatch', () => {
  it('records who and when, changes no status, and happens once', () => {
    const t = ticket({ status: 'dispatched', assigneeId: 'w1', dispatchedMs: 5 });
    expect(needsAcknowledgement(t)).toBe(true);
    const r = applyTicketAction(t, { type: 'acknowledge' }, operator, 1234);
    expect(r.ticket).toMatchObject({ status: 'dispatched', assigneeId: 'w1', acknowledgedMs: 1234, acknowledgedBy: 'operator' });
    expect(r.transition).toMatchObject({ action: 'acknowledge', from: 'dispatched', to: 'dispatched', by: 'operator', atMs: 1234 });
    expect(needsAcknowledgement(r.ticket)).toBe(false);
    expect(() => applyTicketAction(r.ticket, { type: 'acknowledge' }, operator, 2000)).toThrow(/acknowledge/);
  });

  it('is needed for P1 and P2 only, and not once resolved or closed', () => {
    expect(needsAcknowledgement(ticket({ priority: 'P2' }))).toBe(true);
    expect(needsAcknowledgement(ticket({ priority: 'P3' }))).toBe(false);
    expect(needsAcknowledgement(ticket({ status: 'resolved' }))).toBe(false);
  });

  it('time to acknowledge is a KPI beside accept, arrive and close', () => {
    const k = kpi([ticket({ createdMs: 0, acknowledgedMs: 4000 }), ticket({ id: 't2', createdMs: 0, acknowledgedMs: 8000 }), ticket({ id: 't3' })]);
    expect(k.acknowledge).toEqual({ n: 2, meanMs: 6000, medianMs: 6000 });
  });
});

describe('incident actions: the tickets follow', () => {
  const tickets = [
    ticket({ id: 'a', status: 'new' }),
    ticket({ id: 'b', status: 'dispatched', assigneeId: 'w1', dispatchedMs: 1 }),
    ticket({ id: 'c', status: 'accepted', assigneeId: 'w2', dispatchedMs: 1, acknowledgedMs: 3, acknowledgedBy: 'operator' }),
    ticket({ id: 'd', status: 'closed' }),
  ];

  it('acknowledge: every open ticket not yet acknowledged', () => {
    expect(incidentPlan(tickets, { type: 'acknowledge' }).map((p) => p.ticketId)).toEqual(['a', 'b']);
  });

  it('dispatch: new ones dispatched, ones in other hands handed on within their grid, the warden\'s own left alone', () => {
    expect(incidentPlan(tickets, { type: 'dispatch', assigneeId: 'w1' }).map((p) => [p.ticketId, p.action.type])).toEqual([
      ['a', 'dispatch'],
      ['c', 'transfer'],
    ]);
  });

  it('whistle (吹哨): every open ticket that may go to the department goes', () => {
    const plan = incidentPlan(tickets, { type: 'whistle', department: 'fire_brigade' });
    expect(plan.map((p) => p.ticketId)).toEqual(['a', 'b', 'c']);
    const moved = plan.map((p) => applyTicketAction(tickets.find((t) => t.id === p.ticketId)!, p.action, operator, 10).ticket);
    expect(moved.every((t) => t.status === 'with_department' && t.department === 'fire_brigade')).toBe(true);
    expect(incidentPlan(moved, { type: 'whistle', department: 'fire_brigade' })).toEqual([]);
  });
});

describe('SLA timers that do not flood', () => {
  it('no warning once the deadline has passed, one overdue mark per phase however often handed on', async () => {
    const { timerSays } = await import('../src/index.ts');
    const t = ticket({ status: 'dispatched', dispatchedMs: 0, overdue: [] });
    expect(timerSays(t, { type: 'warn', phase: 'accept', deadlineMs: 120_000 }, 100_000)).toBe(true);
    expect(timerSays(t, { type: 'warn', phase: 'accept', deadlineMs: 120_000 }, 130_000)).toBe(false); // a hub that was down: straight to overdue
    expect(timerSays(t, { type: 'overdue', phase: 'accept', deadlineMs: 120_000 }, 130_000)).toBe(true);
    const marked = ticket({ status: 'dispatched', dispatchedMs: 200_000, overdue: ['accept'] }); // transferred after it went overdue
    expect(timerSays(marked, { type: 'warn', phase: 'accept', deadlineMs: 320_000 }, 300_000)).toBe(false);
    expect(timerSays(marked, { type: 'overdue', phase: 'accept', deadlineMs: 320_000 }, 320_000)).toBe(false);
    expect(timerSays(marked, { type: 'escalate', level: 2 }, 320_000)).toBe(true);
  });
});
