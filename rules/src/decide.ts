import { readingKey, type Reading } from '@gridhub/core';
import { isFiring, isResolution, step, type AlertState, type AlertTransition } from './alert/step.ts';
import { inSchedule } from './config/schedule.ts';
import type { KindMemory, Observation } from './kinds/common.ts';
import { observe, tickObservation, type Rule } from './kinds/index.ts';

/**
 * The pure decision core of the engine: what one reading, or the clock, does to one rule's alert
 * state, and what that asks of the tickets. No I/O: the engine persists the answer (alert state,
 * tickets, incidents, events, its cursor) in one transaction.
 */

/** How many reading identities an alert state remembers to tell a replay from a new message. */
export const REMEMBERED_KEYS = 8;

/** A copy of a rule's memory to change (its fields are numbers and lists of numbers or strings). */
function copyMemory(m: KindMemory): KindMemory {
  const c: KindMemory = { ...m };
  if (m.times) c.times = m.times.slice();
  if (m.keys) c.keys = m.keys.slice();
  return c;
}

/**
 * Kinds where a message seen twice would count twice (an event's occurrence, a count rule's
 * tally) remember identities; for a level (threshold, battery) or liveness, a repeated sample
 * says nothing new and costs nothing, so they keep none.
 */
const KEEPS_KEYS = new Set<Rule['kind']>(['event', 'count']);

/** What a decision asks of the tickets. */
export type TicketEffect =
  /** Open a ticket (or add an occurrence to the open one) at `atMs`. */
  | { type: 'open'; atMs: number }
  /** The condition cleared: tell the open ticket. */
  | { type: 'cleared' };

export interface Decision {
  /** The alert state after the reading (the input is never mutated). */
  alert: AlertState;
  memory: KindMemory;
  transitions: readonly AlertTransition[];
  /** Unsilenced effects on tickets, in order. */
  effects: TicketEffect[];
  /** The reading was seen before (same device ts and seq): nothing changed. */
  replay: boolean;
}

/** An observation with the rule's schedule applied: outside it, whatever was seen counts as a clear. */
function scheduled(rule: Rule, obs: Observation | null, nowMs: number): Observation | null {
  return obs && !inSchedule(rule.schedule, nowMs) ? { ...obs, type: 'clear' } : obs;
}

/**
 * The repeat/replay predicate: a device event that breaches a rule already firing adds an
 * occurrence to its ticket, unless it is a replay (a message seen before: a QoS 1 redelivery, or
 * the spool handing a reading out again) or older, by arrival, than the latest sample.
 */
export function isRepeat(rule: Rule, wasFiring: boolean, obs: Observation, before: AlertState, after: AlertState, transitions: readonly AlertTransition[]): boolean {
  const newer = before.lastSampleMs === null || obs.tsMs >= before.lastSampleMs;
  return rule.kind === 'event' && wasFiring && newer && !transitions.length && obs.type === 'breach' && after.lastSampleMs === obs.tsMs;
}

/** Ticket effects of transitions (and a repeat), given whether the alert is silenced. */
export function ticketEffects(transitions: readonly AlertTransition[], repeatAtMs: number | null, silenced: boolean): TicketEffect[] {
  const out: TicketEffect[] = [];
  for (const t of transitions) {
    if (isFiring(t) && !silenced) out.push({ type: 'open', atMs: t.atMs });
    if (isResolution(t)) out.push({ type: 'cleared' });
  }
  if (repeatAtMs !== null && !silenced) out.push({ type: 'open', atMs: repeatAtMs });
  return out;
}

/**
 * One reading on one rule: null when the rule does not observe it (a rule that observes nothing
 * keeps no state). Readings are ordered by the hub's arrival (the order the engine takes them
 * in), so a device clock that is wrong never hides an alarm behind an earlier clear
 * (docs/protocol.md).
 */
export function decideReading(rule: Rule, alert: AlertState, memory: KindMemory, reading: Reading, nowMs: number, silenced: boolean): Decision | null {
  const mem = copyMemory(memory);
  const keeps = KEEPS_KEYS.has(rule.kind);
  const key = keeps ? readingKey(reading) : '';
  if (keeps && mem.keys?.includes(key)) {
    // Replays make no observation at all (a count rule would count one message twice).
    return observe(rule, reading, copyMemory(memory)) ? { alert, memory, transitions: [], effects: [], replay: true } : null;
  }
  const raw = observe(rule, reading, mem);
  if (!raw) return null;
  if (keeps) mem.keys = [...(mem.keys ?? []), key].slice(-REMEMBERED_KEYS);
  // Readings reach the engine in arrival order (the spool's). Durations run on the device's clock
  // (a plausible one; an implausible one was replaced by the arrival time at ingest), but when the
  // clocks disagree (this reading says it is older than the last one) arrival order decides: it
  // counts as just after the last, so an alarm after a clear always fires.
  const ordered = raw.source === 'sample' && alert.lastSampleMs !== null && raw.tsMs < alert.lastSampleMs ? { ...raw, tsMs: alert.lastSampleMs } : raw;
  const obs = scheduled(rule, ordered, nowMs);
  const r = step(alert, obs, rule, nowMs);
  const repeat = obs && isRepeat(rule, alert.state === 'firing', obs, alert, r.next, r.transitions) ? (r.next.lastSampleMs ?? nowMs) : null;
  return { alert: r.next, memory: mem, transitions: r.transitions, effects: ticketEffects(r.transitions, repeat, silenced), replay: false };
}

/**
 * The clock on one rule: `for` windows elapsing, liveness, an event's hold, and no-data (nothing
 * heard for `no_data_after`: the rule's no-data policy applies). Null when nothing changes.
 */
export function decideTick(rule: Rule, alert: AlertState, memory: KindMemory, nowMs: number, silenced: boolean): Decision | null {
  const mem = copyMemory(memory);
  let obs = tickObservation(rule, mem, nowMs);
  const last = alert.lastSampleMs;
  if (!obs && rule.noDataAfterMs !== null && last !== null && nowMs - last >= rule.noDataAfterMs) obs = { type: 'nodata', tsMs: nowMs, source: 'clock' };
  const first = step(alert, scheduled(rule, obs, nowMs), rule, nowMs);
  // After an observation, the clock alone too: a pending alert whose `for` has passed fires now.
  const second = obs ? step(first.next, null, rule, nowMs) : null;
  const transitions = [...first.transitions, ...(second?.transitions ?? [])];
  if (!transitions.length) return null;
  return { alert: (second ?? first).next, memory: mem, transitions, effects: ticketEffects(transitions, null, silenced), replay: false };
}

/**
 * How long an alert state may go unwritten while only its latest sample moves (§ mustSave).
 * A restart within that time resumes with a latest sample at most this much behind.
 */
export const SAMPLE_SAVE_INTERVAL_MS = 10_000;

/** The alert state's fields that a decision, a tick or a replay depends on (all but the latest sample and its value). */
function sameStanding(a: AlertState, b: AlertState): boolean {
  return a.state === b.state && a.activeAtMs === b.activeAtMs && a.pendingSeenMs === b.pendingSeenMs && a.firedAtMs === b.firedAtMs && a.resolvedAtMs === b.resolvedAtMs;
}

const sameList = <T>(a: readonly T[] | undefined, b: readonly T[] | undefined) => a === b || (!!a && !!b && a.length === b.length && a.every((v, i) => v === b[i]));

/** Memory alike but for the time last heard (liveness), which moves with every reading. */
function sameMemory(a: KindMemory, b: KindMemory): boolean {
  return a.willMs === b.willMs && a.lastBreachMs === b.lastBreachMs && sameList(a.times, b.times) && sameList(a.keys, b.keys);
}

/**
 * Whether a decision's alert state must be written in its transaction. Yes when anything a later
 * decision depends on changed: a transition or ticket effect, the standing (state and its times),
 * the memory (counts, identities, a will). When only the latest sample moved (a level reading
 * inside its band, the thousandth telemetry message of the hour) the state is written at most
 * once per `SAMPLE_SAVE_INTERVAL_MS` (`savedMs`: when this state was last written, null never):
 * at 5,000 msg/s that was an upsert per reading on the event loop, for nothing a restart needs
 * to the millisecond. What a restart may lose is bounded: the latest sample time and value (and
 * a liveness rule's last-heard time) up to that interval behind, so a no-data or liveness timer
 * can run out that much early after a crash - never an alarm, a ticket or an occurrence, which
 * are always written.
 */
export function mustSave(before: { alert: AlertState; memory: KindMemory }, d: Decision, savedMs: number | null, nowMs: number): boolean {
  if (d.transitions.length || d.effects.length || savedMs === null) return true;
  if (!sameStanding(before.alert, d.alert) || !sameMemory(before.memory, d.memory)) return true;
  return nowMs - savedMs >= SAMPLE_SAVE_INTERVAL_MS;
}
