import { describe, expect, it } from 'vitest';
import type { Reading } from '@gridhub/core';
import { INITIAL_ALERT_STATE, type AlertState } from '../src/alert/step.ts';
import { buildRuleSet } from '../src/config/ruleset.ts';
import { decideReading, decideTick, mustSave, REMEMBERED_KEYS, SAMPLE_SAVE_INTERVAL_MS, ticketEffects, type Decision } from '../src/decide.ts';
import type { KindMemory } from '../src/kinds/common.ts';

const rules = buildRuleSet({ version: 1 });
const smoke = rules.base.get('smoke.alarm')!;
const T = Date.parse('2026-03-03T10:00:00Z');
const place = { street: 's', community: 'c', grid: 'g', estate: 'e', building: 'b', unit: 'u' };
const msg = (event: string, tsMs: number, rxMs: number, seq: number): Reading => ({ deviceId: 'smk-1', kind: 'smoke', message: 'event', tsMs, seq, rxMs, place, fields: { event } });

/** Feeds readings in arrival order through decideReading; the effects of each. */
function run(readings: Reading[]): { states: string[]; effects: string[][] } {
  let alert: AlertState = INITIAL_ALERT_STATE;
  let memory: KindMemory = {};
  const states: string[] = [];
  const effects: string[][] = [];
  for (const r of readings) {
    const d = decideReading(smoke, alert, memory, r, r.rxMs, false);
    if (!d) continue;
    if (!d.replay) {
      alert = d.alert;
      memory = d.memory;
    }
    states.push(d.replay ? 'replay' : alert.state);
    effects.push(d.effects.map((e) => e.type));
  }
  return { states, effects };
}

describe('ordering rules: the hub\'s arrival order decides, the device clock is evidence', () => {
  it.each([
    ['alarm, then its clear', [msg('alarm', T, T, 1), msg('alarm_cleared', T + 5, T + 5, 2)], ['firing', 'resolved'], [['open'], ['cleared']]],
    // A clear stamped 2099 then real alarms (ingest times the 2099 one at arrival; even when it
    // is not caught, arrival order decides): the alarm after it fires.
    ['a future-dated clear, then a real alarm', [msg('alarm_cleared', Date.parse('2099-01-01'), T, 1), msg('alarm', T + 1000, T + 1000, 2)], ['inactive', 'firing'], [[], ['open']]],
    // The clocks disagree (the alarm says it is older than the clear): arrival order wins.
    ['a clear, then an alarm whose device ts is earlier than the clear\'s', [msg('alarm', T, T, 1), msg('alarm_cleared', T + 60_000, T + 10, 2), msg('alarm', T + 30_000, T + 20, 3)], ['firing', 'resolved', 'firing'], [['open'], ['cleared'], ['open']]],
    ['two alarms: the second adds an occurrence', [msg('alarm', T, T, 1), msg('alarm', T + 1000, T + 1000, 2)], ['firing', 'firing'], [['open'], ['open']]],
    ['the same alarm delivered twice (QoS 1 redelivery, later arrival): counted once', [msg('alarm', T, T, 1), msg('alarm', T, T + 900, 1)], ['firing', 'replay'], [['open'], []]],
    ['a second alarm with the same device ts but another seq is a new alarm', [msg('alarm', T, T, 1), msg('alarm', T, T + 900, 2)], ['firing', 'firing'], [['open'], ['open']]],
    ['an alarm with device ts 0 (unset) still fires', [msg('alarm', 0, T, 1)], ['firing'], [['open']]],
  ] as const)('%s', (_what, readings, states, effects) => {
    const r = run([...readings]);
    expect(r.states).toEqual(states);
    expect(r.effects).toEqual(effects);
  });

  it(`remembers the last ${REMEMBERED_KEYS} identities of an alert state, not more`, () => {
    const many = Array.from({ length: REMEMBERED_KEYS + 3 }, (_, i) => msg('alarm', T + i, T + i, i + 1));
    let alert: AlertState = INITIAL_ALERT_STATE;
    let memory: KindMemory = {};
    for (const r of many) {
      const d = decideReading(smoke, alert, memory, r, r.rxMs, false)!;
      alert = d.alert;
      memory = d.memory;
    }
    expect(memory.keys).toHaveLength(REMEMBERED_KEYS);
    expect(decideReading(smoke, alert, memory, many.at(-1)!, T + 100, false)!.replay).toBe(true);
  });

  it('a silenced alert changes state but opens no ticket; a resolution still tells the ticket', () => {
    const firing = [{ from: 'inactive' as const, to: 'firing' as const, atMs: T, reason: 'breach' as const, value: null }];
    expect(ticketEffects(firing, null, true)).toEqual([]);
    expect(ticketEffects(firing, null, false)).toEqual([{ type: 'open', atMs: T }]);
    expect(ticketEffects([{ from: 'firing', to: 'resolved', atMs: T, reason: 'cleared', value: null }], null, true)).toEqual([{ type: 'cleared' }]);
  });

  it('no-data: a rule with no_data_after applies its policy on the clock', () => {
    const rule = { ...rules.base.get('bin.full')!, noData: 'alert' as const, noDataAfterMs: 60_000 };
    const seen: AlertState = { ...INITIAL_ALERT_STATE, lastSampleMs: T };
    expect(decideTick(rule, seen, {}, T + 59_999, false)).toBeNull();
    const d = decideTick(rule, seen, {}, T + 60_000, false)!;
    expect(d.alert.state).toBe('firing');
    expect(d.effects).toEqual([{ type: 'open', atMs: T + 60_000 }]);
  });
});

describe('mustSave: what a decision writes in its transaction', () => {
  const firing: AlertState = { ...INITIAL_ALERT_STATE, state: 'firing', activeAtMs: T, firedAtMs: T, lastSampleMs: T, value: 90 };
  const decision = (alert: AlertState, memory: KindMemory, more: Partial<Decision> = {}): Decision => ({ alert, memory, transitions: [], effects: [], replay: false, ...more });
  const before = { alert: firing, memory: { lastSeenMs: T, keys: ['a'] } as KindMemory };
  const moved = { ...firing, lastSampleMs: T + 1000, value: 91 };
  it.each([
    ['only the latest sample moved, saved 1 s ago', decision(moved, { lastSeenMs: T + 1000, keys: ['a'] }), T, T + 1000, false],
    ['only the latest sample moved, saved an interval ago', decision(moved, before.memory), T, T + SAMPLE_SAVE_INTERVAL_MS, true],
    ['never saved', decision(moved, before.memory), null, T + 1, true],
    ['a transition', decision(moved, before.memory, { transitions: [{ from: 'firing', to: 'resolved', atMs: T + 1000 } as never] }), T, T + 1, true],
    ['a ticket effect (a repeat)', decision(moved, before.memory, { effects: [{ type: 'open', atMs: T + 1000 }] }), T, T + 1, true],
    ['the standing changed (pending since)', decision({ ...moved, activeAtMs: T + 1000 }, before.memory), T, T + 1, true],
    ['the state changed', decision({ ...moved, state: 'resolved', resolvedAtMs: T + 1 }, before.memory), T, T + 1, true],
    ['an identity remembered (replays)', decision(moved, { lastSeenMs: T, keys: ['a', 'b'] }), T, T + 1, true],
    ['a count', decision(moved, { ...before.memory, times: [T] }), T, T + 1, true],
    ['a last will', decision(moved, { ...before.memory, willMs: T }), T, T + 1, true],
    ['an event breach time', decision(moved, { ...before.memory, lastBreachMs: T }), T, T + 1, true],
  ] as const)('%s', (_name, d, savedMs, nowMs, want) => {
    expect(mustSave(before, d, savedMs, nowMs)).toBe(want);
  });
});
