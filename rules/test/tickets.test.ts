import { describe, expect, it } from 'vitest';
import type { Warden } from '@gridhub/core';
import { rulesErrorCode } from '../src/errors.ts';
import { applyTicketAction } from '../src/tickets/lifecycle.ts';
import { SYSTEM, type Actor, type Ticket, type TicketAction } from '../src/tickets/model.ts';
import { DEFAULT_SLA, dueTimers, nextDueMs } from '../src/tickets/sla.ts';
import { dutyAssignee, escalationTarget } from '../src/tickets/roster.ts';
import { correlateFire } from '../src/tickets/correlate.ts';
import { kpiBy } from '../src/tickets/kpi.ts';

const MIN = 60_000;
const warden: Actor = { id: 'w1', role: 'warden' };
const place = { street: 'st', community: 'cm', grid: 'g1', estate: 'hy', building: 'b01', unit: 'u1' };

function ticket(over: Partial<Ticket> = {}): Ticket {
  return {
    id: 't1', ruleId: 'smoke.alarm', subjectKey: 'd1', deviceId: 'd1', deviceKind: 'smoke', priority: 'P1', title: 'Smoke', place,
    status: 'new', gridId: 'g1', assigneeId: null, department: null, incidentId: null, acknowledgedMs: null, acknowledgedBy: null, occurrences: 1, firstSeenMs: 0, lastSeenMs: 0,
    createdMs: 0, dispatchedMs: null, acceptedMs: null, onSiteMs: null, resolvedMs: null, closedMs: null, conditionClearedMs: null,
    escalation: 0, overdue: [], firedTimers: [], returnCount: 0, reopenCount: 0, version: 0, ...over,
  };
}

function run(t: Ticket, steps: [TicketAction, number][]): Ticket {
  return steps.reduce((acc, [a, now]) => applyTicketAction(acc, a, warden, now).ticket, t);
}

function refusal(t: Ticket, a: TicketAction): string | undefined {
  try {
    applyTicketAction(t, a, warden, 1);
  } catch (err) {
    return rulesErrorCode(err);
  }
  return 'allowed';
}

describe('ticket lifecycle (pure transition table)', () => {
  it('runs the closed loop and records who, when, from, to and note', () => {
    let t = ticket();
    const log: string[] = [];
    const steps: [TicketAction, number][] = [
      [{ type: 'dispatch', assigneeId: 'w1' }, 1], [{ type: 'accept' }, 2], [{ type: 'arrive' }, 3],
      [{ type: 'resolve', note: 'false alarm: cooking', photos: ['p.jpg'] }, 4], [{ type: 'close', note: 'verified' }, 5],
    ];
    for (const [a, now] of steps) {
      const r = applyTicketAction(t, a, warden, now);
      t = r.ticket;
      log.push(`${r.transition.from}>${r.transition.to}@${r.transition.atMs} by ${r.transition.by}${r.transition.note ? ` (${r.transition.note})` : ''}`);
    }
    expect(log).toEqual(['new>dispatched@1 by w1', 'dispatched>accepted@2 by w1', 'accepted>on_site@3 by w1', 'on_site>resolved@4 by w1 (false alarm: cooking)', 'resolved>closed@5 by w1 (verified)']);
    expect(t).toMatchObject({ dispatchedMs: 1, acceptedMs: 2, onSiteMs: 3, resolvedMs: 4, closedMs: 5, version: 5 });
  });

  it('return (退单) needs a reason and goes back for re-dispatch; transfer (流转) moves grid and warden', () => {
    const d = run(ticket(), [[{ type: 'dispatch', assigneeId: 'w1' }, 1]]);
    expect(refusal(d, { type: 'return', reason: ' ' })).toBe('RULES_ERR_TICKET_TRANSITION');
    const r = run(d, [[{ type: 'return', reason: 'not my grid' }, 2]]);
    expect(r).toMatchObject({ status: 'returned', assigneeId: null, returnCount: 1 });
    const x = run(r, [[{ type: 'transfer', gridId: 'g2', assigneeId: 'w9' }, 3]]);
    expect(x).toMatchObject({ status: 'dispatched', gridId: 'g2', assigneeId: 'w9', dispatchedMs: 3 });
  });

  it('whistle (吹哨) hands over to a department, which resolves; failed verification reopens', () => {
    const w = run(ticket(), [[{ type: 'dispatch', assigneeId: 'w1' }, 1], [{ type: 'accept' }, 2], [{ type: 'whistle', department: 'fire_brigade' }, 3]]);
    expect(w).toMatchObject({ status: 'with_department', department: 'fire_brigade' });
    const reopened = run(w, [[{ type: 'resolve', note: 'extinguished' }, 4], [{ type: 'reopen', reason: 'still smoking' }, 5]]);
    expect(reopened).toMatchObject({ status: 'dispatched', reopenCount: 1, resolvedMs: null, dispatchedMs: 5 });
  });

  it('a condition that cleared by itself is marked, and a person may then close at once', () => {
    const d = run(ticket(), [[{ type: 'dispatch', assigneeId: 'w1' }, 1]]);
    expect(refusal(d, { type: 'close', note: 'verified' })).toBe('RULES_ERR_TICKET_TRANSITION');
    const c = run(d, [[{ type: 'condition_cleared' }, 2], [{ type: 'close', note: 'test button' }, 3]]);
    expect(c).toMatchObject({ status: 'closed', conditionClearedMs: 2 });
  });

  it.each<[string, Partial<Ticket>, TicketAction]>([
    ['accept before dispatch', {}, { type: 'accept' }],
    ['arrive before accept', { status: 'dispatched' }, { type: 'arrive' }],
    ['resolve without a note', { status: 'on_site' }, { type: 'resolve', note: '' }],
    ['close a resolved ticket without a note', { status: 'resolved' }, { type: 'close', note: '  ' }],
    ['reopen without a reason', { status: 'resolved' }, { type: 'reopen', reason: '' }],
    ['resolve from dispatched', { status: 'dispatched' }, { type: 'resolve', note: 'x' }],
    ['reopen an open ticket', { status: 'accepted' }, { type: 'reopen', reason: 'x' }],
    ['anything on a closed ticket', { status: 'closed' }, { type: 'occurrence', atMs: 1 }],
    ['dispatch twice', { status: 'dispatched' }, { type: 'dispatch', assigneeId: 'w2' }],
  ])('refuses: %s', (_name, over, action) => {
    expect(refusal(ticket(over), action)).toBe('RULES_ERR_TICKET_TRANSITION');
  });
});

describe('SLA timers (pure, of ticket and now)', () => {
  const fire = (t: Ticket, now: number) => {
    for (const timer of dueTimers(t, now)) {
      const a = timer.action;
      const next = a.type === 'escalate' ? (a.level > t.escalation ? applyTicketAction(t, { type: 'escalate', level: a.level, to: String(a.level) }, SYSTEM, now).ticket : t) : applyTicketAction(t, a, SYSTEM, now).ticket;
      t = { ...next, firedTimers: [...next.firedTimers, timer.key] };
    }
    return t;
  };

  it('P1: warn before 2 min, then grid leader at 2, community at 4, street at 6; each once', () => {
    let t = run(ticket(), [[{ type: 'dispatch', assigneeId: 'w1' }, 0]]);
    expect(dueTimers(t, 1.5 * MIN)).toEqual([]);
    expect(dueTimers(t, 1.6 * MIN).map((x) => x.key)).toEqual(['accept@0:warn']);
    t = fire(t, 2 * MIN);
    expect(t).toMatchObject({ escalation: 1, overdue: ['accept'] });
    expect(dueTimers(t, 2 * MIN)).toEqual([]);
    expect(nextDueMs(t)).toBe(4 * MIN);
    t = fire(t, 4 * MIN);
    expect(t.escalation).toBe(2);
    t = fire(t, 6 * MIN);
    expect(t.escalation).toBe(3);
  });

  it('acceptance stops the chain; a missed arrival deadline escalates again', () => {
    let t = run(ticket(), [[{ type: 'dispatch', assigneeId: 'w1' }, 0]]);
    t = fire(t, 2 * MIN);
    t = run(t, [[{ type: 'accept' }, 3 * MIN]]);
    // No more accept escalations (4 and 6 min); only the arrival warning at 8 min.
    expect(dueTimers(t, 7 * MIN).map((x) => x.key)).toEqual([]);
    expect(dueTimers(t, 9 * MIN).map((x) => x.key)).toEqual(['arrive@0:warn']);
    t = fire(t, 10 * MIN);
    expect(t).toMatchObject({ escalation: 2, overdue: ['accept', 'arrive'] });
  });

  it('configurable windows per priority', () => {
    expect(DEFAULT_SLA.byPriority.P2).toEqual({ acceptMs: 15 * MIN, arriveMs: 60 * MIN, closeMs: 24 * 60 * MIN });
    const t = run(ticket({ priority: 'P3' }), [[{ type: 'dispatch', assigneeId: 'w1' }, 0]]);
    const fast = { ...DEFAULT_SLA, byPriority: { ...DEFAULT_SLA.byPriority, P3: { acceptMs: MIN, arriveMs: 2 * MIN, closeMs: 3 * MIN } } };
    expect(dueTimers(t, MIN, fast).some((x) => x.action.type === 'escalate')).toBe(true);
    expect(dueTimers(t, MIN).some((x) => x.action.type === 'escalate')).toBe(false);
  });
});

describe('rosters, correlation, KPIs', () => {
  const wardens: Warden[] = [
    { id: 'lead', name: 'L', phone: '1', role: 'grid_leader', gridId: 'g1' },
    { id: 'w1', name: 'A', phone: '1', role: 'full_time', gridId: 'g1' },
    { id: 'w2', name: 'B', phone: '1', role: 'part_time', gridId: 'g1' },
    { id: 'x', name: 'X', phone: '1', role: 'full_time', gridId: 'g2' },
  ];
  it('dispatches to the warden on duty, else the grid leader', () => {
    const shifts = [{ gridId: 'g1', wardenId: 'w1', fromMs: 0, toMs: 100 }, { gridId: 'g1', wardenId: 'w2', fromMs: 100, toMs: 200 }, { gridId: 'g1', wardenId: 'x', fromMs: 200, toMs: 300 }];
    expect(dutyAssignee(shifts, wardens, 'g1', 50)).toEqual({ assigneeId: 'w1', via: 'roster' });
    expect(dutyAssignee(shifts, wardens, 'g1', 150)).toEqual({ assigneeId: 'w2', via: 'roster' });
    expect(dutyAssignee(shifts, wardens, 'g1', 250)).toEqual({ assigneeId: 'lead', via: 'grid_leader' });
    expect(escalationTarget(1, place, 'g1', wardens)).toEqual({ to: 'warden:lead', people: ['lead'] });
    expect(escalationTarget(2, place, 'g1', wardens)).toEqual({ to: 'community:cm', people: [] });
    expect(escalationTarget(3, place, 'g1', wardens)).toEqual({ to: 'street:st', people: [] });
    // each step names the officers of that place, not another community's
    const officers = [
      { id: 'co1', name: '陈', phone: '139', level: 'community', placeId: 'cm' },
      { id: 'co2', name: '刘', phone: '139', level: 'community', placeId: 'cm' },
      { id: 'coX', name: '王', phone: '139', level: 'community', placeId: 'other' },
      { id: 'so1', name: '孙', phone: '139', level: 'street', placeId: 'st' },
    ] as const;
    expect(escalationTarget(2, place, 'g1', wardens, officers)).toEqual({ to: 'community:cm', people: ['co1', 'co2'] });
    expect(escalationTarget(3, place, 'g1', wardens, officers)).toEqual({ to: 'street:st', people: ['so1'] });
    expect(escalationTarget(1, place, 'g-noleader', wardens, officers)).toEqual({ to: 'community:cm', people: ['co1', 'co2'] });
  });

  it('two smoke alarms in one building within 2 minutes make one incident; a third joins it', () => {
    const a = { ticketId: 'a', deviceId: 'da', buildingId: 'b01', lastSeenMs: 0, incidentId: null };
    const b = { ...a, ticketId: 'b', deviceId: 'db', lastSeenMs: 90_000 };
    expect(correlateFire(a, [])).toEqual({ type: 'none' });
    expect(correlateFire(b, [a, { ...a, ticketId: 'far', deviceId: 'x', buildingId: 'b02' }])).toEqual({ type: 'create', ticketIds: ['b', 'a'] });
    expect(correlateFire({ ...b, lastSeenMs: 121_000 }, [a])).toEqual({ type: 'none' });
    const c = { ...a, ticketId: 'c', deviceId: 'dc', lastSeenMs: 100_000 };
    expect(correlateFire(c, [{ ...a, incidentId: 'i1' }, { ...b, incidentId: 'i1' }])).toEqual({ type: 'join', incidentId: 'i1', ticketIds: ['c'] });
  });

  it('KPIs: closure rate, on-time rate, mean and median times, by group', () => {
    const closed = (id: string, gridId: string, accept: number, close: number) =>
      ticket({ id, gridId, status: 'closed', dispatchedMs: 0, acceptedMs: accept, onSiteMs: accept, resolvedMs: close, closedMs: close });
    const ts = [closed('1', 'g1', 1 * MIN, 60 * MIN), closed('2', 'g1', 3 * MIN, 30 * MIN), ticket({ id: '3', gridId: 'g1' }), closed('4', 'g2', 1 * MIN, 10 * MIN)];
    const k = kpiBy(ts, 'grid');
    expect(k.g1).toMatchObject({ tickets: 3, closed: 2, closureRate: 2 / 3, onTimeRate: 0.5 });
    expect(k.g1!.accept).toEqual({ n: 2, meanMs: 2 * MIN, medianMs: 2 * MIN });
    expect(k.g1!.close.medianMs).toBe(45 * MIN);
    expect(k.g2).toMatchObject({ closureRate: 1, onTimeRate: 1 });
    expect(Object.keys(kpiBy(ts, 'period', { periodMs: MIN }))).toEqual(['0']);
  });
});
