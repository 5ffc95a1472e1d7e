import { DEFAULT_SLA, type SlaConfig } from '@gridhub/rules';
import type { Trigger } from './routing.ts';
import type { Notice, Where } from './types.ts';

/** Pure: what a trigger's pages say (names looked up by the caller). */
export function noticeFor(t: Trigger, where: Where | null, assignee: string | null, publicUrl: string | null, sla: SlaConfig = DEFAULT_SLA): Notice {
  const base = publicUrl?.replace(/\/+$/, '') ?? null;
  if (t.event === 'incident') {
    const i = t.incident;
    const first = t.ticketIds[0] ?? null;
    return {
      kind: 'incident', priority: i.priority, ticketId: first, incidentId: i.id, title: i.title, where, atMs: i.createdMs, deadlineMs: null, assignee,
      level: null, count: t.ticketIds.length, link: base && first ? `${base}/m/tickets/${encodeURIComponent(first)}` : null,
    };
  }
  const k = t.ticket;
  const acceptMs = sla.byPriority[k.priority].acceptMs;
  const deadlineMs = k.dispatchedMs === null || k.status !== 'dispatched' ? null : t.event === 'dispatch' ? k.dispatchedMs + acceptMs : k.dispatchedMs + acceptMs * (t.level + 1);
  return {
    kind: t.event === 'dispatch' ? 'alarm' : 'escalation', priority: k.priority, ticketId: k.id, incidentId: k.incidentId, title: k.title, where,
    atMs: k.firstSeenMs, deadlineMs, assignee, level: t.event === 'escalate' ? t.level : null, count: null,
    link: base ? `${base}/m/tickets/${encodeURIComponent(k.id)}` : null,
  };
}

/** A fire alarm's pages to one recipient merge within the correlation window (one message per incident). */
export function mergeKeyOf(t: Trigger): string | null {
  return t.event === 'dispatch' && t.ticket.ruleId === 'smoke.alarm' && t.ticket.place.building ? `fire:${t.ticket.place.building}` : null;
}

/** A test message (the "send a test message" action). */
export function testNotice(atMs: number, publicUrl: string | null): Notice {
  return { kind: 'test', priority: 'P3', ticketId: null, incidentId: null, title: 'GridHub 通知测试 Notification test', where: null, atMs, deadlineMs: null, assignee: null, level: null, count: null, link: publicUrl };
}
