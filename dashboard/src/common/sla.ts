import type { LiveTicket, Phase } from '@gridhub/core';

export type SlaTone = 'ok' | 'near' | 'overdue' | 'none';

/** The next open deadline of a ticket and how close it is (amber within 20 % or 2 min, red past). */
export function nextDeadline(t: LiveTicket, nowMs: number): { phase: Phase; atMs: number; leftMs: number; tone: SlaTone } | null {
  const entries = Object.entries(t.deadlines ?? {}) as [Phase, number][];
  if (!entries.length || t.status === 'closed' || t.status === 'resolved') return null;
  const [phase, atMs] = entries.sort((a, b) => a[1] - b[1])[0]!;
  const leftMs = atMs - nowMs;
  const windowMs = Math.max(60_000, atMs - (t.dispatchedMs ?? t.createdMs));
  const tone: SlaTone = leftMs < 0 || t.overdue.length > 0 ? 'overdue' : leftMs < Math.max(0.2 * windowMs, 120_000) ? 'near' : 'ok';
  return { phase, atMs, leftMs, tone };
}

export const TONE_COLOR: Record<SlaTone, string> = { ok: '#389e0d', near: '#d48806', overdue: '#cf1322', none: '#8c8c8c' };

/** Priority order, then the nearest deadline first. */
export function byUrgency(nowMs: number) {
  return (a: LiveTicket, b: LiveTicket): number =>
    a.priority.localeCompare(b.priority) || (nextDeadline(a, nowMs)?.atMs ?? Infinity) - (nextDeadline(b, nowMs)?.atMs ?? Infinity) || b.createdMs - a.createdMs;
}
