import type { Kpi, KpiGroupBy, Stat } from '@gridhub/core';
import type { SlaConfig } from './sla.ts';
import { DEFAULT_SLA } from './sla.ts';
import type { Ticket } from './model.ts';

/**
 * KPIs as pure functions over tickets: closure rate (办结率), on-time rate, and the mean and
 * median time to acknowledge (接警), accept, arrive and close (from creation), grouped by grid, estate, warden,
 * device kind or period.
 */
export type { KpiGroupBy, Stat, Kpi };

export function stat(values: number[]): Stat {
  if (!values.length) return { n: 0, meanMs: null, medianMs: null };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { n: sorted.length, meanMs: sorted.reduce((a, b) => a + b, 0) / sorted.length, medianMs: median };
}

function span(from: number, to: number | null): number[] {
  return to === null ? [] : [to - from];
}

export function onTime(t: Ticket, sla: SlaConfig): boolean {
  const w = sla.byPriority[t.priority];
  const start = t.createdMs;
  return (
    t.closedMs !== null &&
    t.overdue.length === 0 &&
    (t.acceptedMs === null || t.acceptedMs - start <= w.acceptMs) &&
    (t.onSiteMs === null || t.onSiteMs - start <= w.arriveMs) &&
    (t.resolvedMs ?? t.closedMs) - start <= w.closeMs
  );
}

export function kpi(tickets: readonly Ticket[], sla: SlaConfig = DEFAULT_SLA): Kpi {
  const closed = tickets.filter((t) => t.status === 'closed');
  return {
    tickets: tickets.length,
    closed: closed.length,
    closureRate: tickets.length ? closed.length / tickets.length : null,
    onTimeRate: closed.length ? closed.filter((t) => onTime(t, sla)).length / closed.length : null,
    acknowledge: stat(tickets.flatMap((t) => span(t.createdMs, t.acknowledgedMs))),
    accept: stat(tickets.flatMap((t) => span(t.createdMs, t.acceptedMs))),
    arrive: stat(tickets.flatMap((t) => span(t.createdMs, t.onSiteMs))),
    close: stat(tickets.flatMap((t) => span(t.createdMs, t.closedMs))),
  };
}

function groupKey(t: Ticket, by: KpiGroupBy, periodMs: number): string {
  switch (by) {
    case 'grid':
      return t.gridId;
    case 'estate':
      return t.place.estate;
    case 'warden':
      return t.assigneeId ?? '(none)';
    case 'kind':
      return t.deviceKind;
    case 'period':
      return String(Math.floor(t.createdMs / periodMs) * periodMs);
    case 'all':
      return 'all';
  }
}

/** KPIs per group; `periodMs` buckets creation time for `period` (a day by default). */
export function kpiBy(tickets: readonly Ticket[], by: KpiGroupBy, opts: { periodMs?: number; sla?: SlaConfig } = {}): Record<string, Kpi> {
  const groups = new Map<string, Ticket[]>();
  for (const t of tickets) {
    const k = groupKey(t, by, opts.periodMs ?? 86_400_000);
    const g = groups.get(k);
    if (g) g.push(t);
    else groups.set(k, [t]);
  }
  return Object.fromEntries([...groups].map(([k, g]) => [k, kpi(g, opts.sla)]));
}
