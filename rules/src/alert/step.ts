import { ALERT_STATES, type AlertStateName, type AlertTransition, type TransitionReason } from '@gridhub/core';
import type { NoDataPolicy, Observation, RuleCommon } from '../kinds/common.ts';

/**
 * The alert state of one rule for one subject (device or place), Prometheus `alerting.go` style:
 * timestamps, never counters, so a restart neither loses a `for` window in progress nor fires again.
 *   inactive -> pending (condition holds, `for` not yet elapsed) -> firing -> resolved
 * A cleared pending alert drops back to inactive; a resolved one starts over on the next breach.
 */
export { ALERT_STATES, type AlertStateName, type TransitionReason, type AlertTransition };

export interface AlertState {
  state: AlertStateName;
  /** When the condition started to hold (pending since), on the device's clock. */
  activeAtMs: number | null;
  /**
   * When the hub saw the alert go pending, on the hub's clock. The clock alone (a tick) fires a
   * pending alert only once `for` has passed on the hub's clock since then: a device clock behind
   * the hub's, or readings replayed from the past, must not fire on the first tick.
   */
  pendingSeenMs: number | null;
  firedAtMs: number | null;
  resolvedAtMs: number | null;
  /** The latest sample time (device clock) seen: older samples are ignored. */
  lastSampleMs: number | null;
  /** Last numeric value seen, for display. */
  value: number | null;
}


export interface StepResult {
  next: AlertState;
  transitions: readonly AlertTransition[];
}

export type StepRule = Pick<RuleCommon, 'forMs' | 'noData'>;

export const INITIAL_ALERT_STATE: AlertState = Object.freeze({
  state: 'inactive',
  activeAtMs: null,
  pendingSeenMs: null,
  firedAtMs: null,
  resolvedAtMs: null,
  lastSampleMs: null,
  value: null,
});

const NONE: readonly AlertTransition[] = Object.freeze([]);

function move(prev: AlertState, next: AlertState, atMs: number, reason: TransitionReason): StepResult {
  return { next, transitions: [{ from: prev.state, to: next.state, atMs, reason, value: next.value }] };
}

function stay(next: AlertState): StepResult {
  return { next, transitions: NONE };
}

// ---- one small function per outcome (Grafana state.go) ----

function resultBreach(s: AlertState, atMs: number, forMs: number, reason: TransitionReason, nowMs: number): StepResult {
  switch (s.state) {
    case 'inactive':
    case 'resolved': {
      const pending: AlertState = { ...s, state: 'pending', activeAtMs: atMs, pendingSeenMs: nowMs, firedAtMs: null, resolvedAtMs: null };
      if (forMs <= 0) return move(s, { ...pending, state: 'firing', firedAtMs: atMs }, atMs, reason);
      return move(s, pending, atMs, reason);
    }
    case 'pending':
      return atMs - (s.activeAtMs ?? atMs) >= forMs ? move(s, { ...s, state: 'firing', firedAtMs: atMs }, atMs, 'for_elapsed') : stay(s);
    case 'firing':
      return stay(s);
  }
}

function resultClear(s: AlertState, atMs: number, reason: TransitionReason): StepResult {
  switch (s.state) {
    case 'pending':
      return move(s, { ...s, state: 'inactive', activeAtMs: null, pendingSeenMs: null }, atMs, reason);
    case 'firing':
      return move(s, { ...s, state: 'resolved', resolvedAtMs: atMs }, atMs, reason);
    default:
      return stay(s);
  }
}

/** Between the set and clear levels: a firing alert keeps firing, a pending one drops. */
function resultHold(s: AlertState, atMs: number): StepResult {
  return s.state === 'pending' ? resultClear(s, atMs, 'below_clear_level') : stay(s);
}

function resultNoData(s: AlertState, atMs: number, forMs: number, policy: NoDataPolicy): StepResult {
  if (policy === 'resolve') return resultClear(s, atMs, 'nodata');
  if (policy === 'alert') return resultBreach(s, atMs, forMs, 'nodata', atMs);
  return stay(s);
}

/**
 * Pure: the next alert state from an observation (or `null`: the clock alone, which lets a
 * pending alert fire once `for` has elapsed). Samples are timed by the device's clock and a
 * sample older than the latest one seen is ignored, so late and out-of-order readings never
 * flip the state backwards; clock observations are timed by `nowMs`.
 */
/** The clock alone: a pending alert fires once `for` has passed on the hub's clock since it went pending. */
function resultTick(s: AlertState, nowMs: number, forMs: number): StepResult {
  if (s.state !== 'pending') return stay(s);
  const since = s.pendingSeenMs ?? s.activeAtMs ?? nowMs;
  return nowMs - since >= forMs ? move(s, { ...s, state: 'firing', firedAtMs: nowMs }, nowMs, 'for_elapsed') : stay(s);
}

/**
 * A sample that ends a pending breach (clear, or between the levels) after the breach had held
 * for `for` on the device's clock: the condition held that long (a device reports on change, so a
 * state lasts until the next sample), so the alert fires at the end of the window, then takes the
 * sample. This is what the tick would have done in real time; a fast replay gets the same answer.
 */
function heldThenEnded(s: AlertState, obs: Observation, atMs: number, forMs: number, end: (fired: AlertState) => StepResult): StepResult | null {
  if (obs.source !== 'sample' || s.state !== 'pending' || s.activeAtMs === null || atMs - s.activeAtMs < forMs) return null;
  const firedAt = s.activeAtMs + forMs;
  const fired = move(s, { ...s, state: 'firing', firedAtMs: firedAt }, firedAt, 'for_elapsed');
  const after = end(fired.next);
  return { next: after.next, transitions: [...fired.transitions, ...after.transitions] };
}

export function step(prev: AlertState, obs: Observation | null, rule: StepRule, nowMs: number): StepResult {
  if (obs === null) return resultTick(prev, nowMs, rule.forMs);
  let s = prev;
  let atMs = nowMs;
  if (obs.source === 'sample') {
    if (prev.lastSampleMs !== null && obs.tsMs < prev.lastSampleMs) return stay(prev);
    // A device clock running ahead never dates a state change into the hub's future.
    atMs = Math.min(obs.tsMs, nowMs);
    s = { ...prev, lastSampleMs: obs.tsMs, value: obs.value ?? prev.value };
  } else if (obs.value !== undefined) {
    s = { ...prev, value: obs.value };
  }
  switch (obs.type) {
    case 'breach':
      return resultBreach(s, atMs, rule.forMs, 'breach', nowMs);
    case 'clear':
      return heldThenEnded(s, obs, atMs, rule.forMs, (f) => resultClear(f, atMs, 'cleared')) ?? resultClear(s, atMs, 'cleared');
    case 'hold':
      return heldThenEnded(s, obs, atMs, rule.forMs, (f) => resultHold(f, atMs)) ?? resultHold(s, atMs);
    case 'nodata':
      return resultNoData(s, atMs, rule.forMs, rule.noData);
  }
}

/** Whether a transition pages someone (opens or repeats a ticket) or tells it the condition cleared. */
export function isFiring(t: AlertTransition): boolean {
  return t.to === 'firing';
}
export function isResolution(t: AlertTransition): boolean {
  return t.from === 'firing' && t.to === 'resolved';
}
