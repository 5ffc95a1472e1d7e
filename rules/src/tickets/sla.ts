import { DAY_MS, HOUR_MS, MINUTE_MS } from '../duration.ts';
import type { Priority } from '../kinds/common.ts';
import { ESCALATION_LEVELS, type Phase, type Ticket } from './model.ts';

/**
 * SLA per priority (configurable; the start values), as pure functions of
 * (ticket, nowMs): every deadline is measured from the (last) dispatch, so timers are data and
 * survive a restart as long as the ticket does.
 *   - a warning `warnFraction` of the window before each deadline;
 *   - at the deadline: overdue, and escalation one step up warden -> grid leader -> community ->
 *     street office; while not accepted, one more step every `acceptMs`;
 *   - acceptance stops the accept chain; an accepted ticket that misses its next deadline
 *     (arrive, close) escalates again.
 */
export interface SlaWindow {
  acceptMs: number;
  arriveMs: number;
  closeMs: number;
}
export interface SlaConfig {
  byPriority: Record<Priority, SlaWindow>;
  /** Warn this fraction of a window before its deadline (0.2: at 80 % of the window). */
  warnFraction: number;
}

export const DEFAULT_SLA: SlaConfig = {
  byPriority: {
    P1: { acceptMs: 2 * MINUTE_MS, arriveMs: 10 * MINUTE_MS, closeMs: 2 * HOUR_MS },
    P2: { acceptMs: 15 * MINUTE_MS, arriveMs: HOUR_MS, closeMs: DAY_MS },
    P3: { acceptMs: 2 * HOUR_MS, arriveMs: DAY_MS, closeMs: 3 * DAY_MS },
  },
  warnFraction: 0.2,
};

export type TimerAction = { type: 'warn'; phase: Phase; deadlineMs: number } | { type: 'overdue'; phase: Phase; deadlineMs: number } | { type: 'escalate'; level: number };

export interface TicketTimer {
  /** Unique per ticket and dispatch: `accept@<dispatchedMs>:warn`. */
  key: string;
  dueMs: number;
  action: TimerAction;
}

const TOP_LEVEL = ESCALATION_LEVELS.length - 1;

function phaseOpen(t: Ticket, phase: Phase): boolean {
  if (t.dispatchedMs === null) return false;
  switch (phase) {
    case 'accept':
      return t.status === 'dispatched';
    case 'arrive':
      return t.status === 'dispatched' || t.status === 'accepted';
    case 'close':
      return t.status === 'dispatched' || t.status === 'accepted' || t.status === 'on_site' || t.status === 'with_department';
  }
}

/** Every timer the ticket's SLA sets now (fired or not), in due order. */
export function ticketTimers(t: Ticket, sla: SlaConfig = DEFAULT_SLA): TicketTimer[] {
  if (t.dispatchedMs === null || t.status === 'closed') return [];
  const w = sla.byPriority[t.priority];
  const timers: TicketTimer[] = [];
  const windows: [Phase, number][] = [['accept', w.acceptMs], ['arrive', w.arriveMs], ['close', w.closeMs]];
  for (const [phase, windowMs] of windows) {
    if (!phaseOpen(t, phase)) continue;
    const deadlineMs = t.dispatchedMs + windowMs;
    const key = `${phase}@${t.dispatchedMs}`;
    timers.push({ key: `${key}:warn`, dueMs: deadlineMs - Math.round(windowMs * sla.warnFraction), action: { type: 'warn', phase, deadlineMs } });
    timers.push({ key: `${key}:overdue`, dueMs: deadlineMs, action: { type: 'overdue', phase, deadlineMs } });
    timers.push({ key: `${key}:escalate`, dueMs: deadlineMs, action: { type: 'escalate', level: 1 } });
    // Not accepted: one more step up every accept window, up to the street office.
    if (phase === 'accept') {
      for (let n = 2; n <= TOP_LEVEL; n++) timers.push({ key: `${key}:escalate${n}`, dueMs: deadlineMs + (n - 1) * windowMs, action: { type: 'escalate', level: n } });
    }
  }
  return timers.sort((a, b) => a.dueMs - b.dueMs);
}

/**
 * The timers due at `nowMs` that have not fired yet. Each escalation goes one step up from the
 * ticket's level at that point (an accepted ticket that misses its next deadline goes one step
 * further); at the street office it stays there (level unchanged: the caller only marks it fired).
 */
export function dueTimers(t: Ticket, nowMs: number, sla: SlaConfig = DEFAULT_SLA): TicketTimer[] {
  const fired = new Set(t.firedTimers);
  let level = t.escalation;
  const due: TicketTimer[] = [];
  for (const timer of ticketTimers(t, sla)) {
    if (timer.dueMs > nowMs || fired.has(timer.key)) continue;
    if (timer.action.type === 'escalate') {
      level = Math.min(level + 1, TOP_LEVEL);
      due.push({ ...timer, action: { type: 'escalate', level } });
    } else {
      due.push(timer);
    }
  }
  return due;
}

/**
 * Whether a due warning or overdue mark still says something (pure): a warning once the deadline
 * has passed says nothing ("deadline near" after "overdue"), and a phase is marked overdue once
 * however often the ticket is handed on; the timer is then only marked fired. One warning per
 * deadline, one overdue mark per phase: the feeds do not flood.
 */
export function timerSays(t: Ticket, a: TimerAction, nowMs: number): boolean {
  if (a.type === 'warn') return nowMs < a.deadlineMs && !t.overdue.includes(a.phase);
  if (a.type === 'overdue') return !t.overdue.includes(a.phase);
  return true;
}

/** The next time anything is due for this ticket (null: nothing pending). */
export function nextDueMs(t: Ticket, sla: SlaConfig = DEFAULT_SLA): number | null {
  const fired = new Set(t.firedTimers);
  const next = ticketTimers(t, sla).find((x) => !fired.has(x.key));
  return next ? next.dueMs : null;
}
