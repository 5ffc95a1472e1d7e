import type { RulesEvent, Ticket } from '@gridhub/core';

/** Ticket events as the rules engine logs them (for tests that drive the log directly). */
export const P1_TICKET = (i: number, over: Partial<Ticket> = {}): Ticket => ({
  id: `T-${i}`, ruleId: 'smoke.alarm', subjectKey: `smk-${i}`, deviceId: `smk-${i}`, deviceKind: 'smoke', priority: 'P1', title: '烟感报警 Smoke alarm',
  place: { street: 'st1', community: 'cm1', grid: 'ga', estate: 'hy', building: `b${i}`, unit: 'u1' }, status: 'dispatched', gridId: 'ga', assigneeId: 'warden-a1',
  department: null, incidentId: null, occurrences: 1, firstSeenMs: Date.now(), lastSeenMs: Date.now(), createdMs: Date.now(), dispatchedMs: Date.now(), acknowledgedMs: null, acknowledgedBy: null, acceptedMs: null,
  onSiteMs: null, resolvedMs: null, closedMs: null, conditionClearedMs: null, escalation: 0, overdue: [], firedTimers: [], returnCount: 0, reopenCount: 0, version: 2, ...over,
});

export const dispatched = (t: Ticket): RulesEvent => ({
  type: 'ticket', ticket: t, transition: { ticketId: t.id, action: 'dispatch', from: 'new', to: 'dispatched', by: 'system', atMs: Date.now(), note: null, data: { assigneeId: t.assigneeId } },
});

export const accepted = (t: Ticket): RulesEvent => ({
  type: 'ticket', ticket: { ...t, status: 'accepted' }, transition: { ticketId: t.id, action: 'accept', from: 'dispatched', to: 'accepted', by: t.assigneeId ?? 'x', atMs: Date.now(), note: null, data: null },
});
