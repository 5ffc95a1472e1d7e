import { describe, expect, it } from 'vitest';
import { INITIAL_ALERT_STATE, step, type AlertState, type AlertStateName, type StepRule } from '../src/alert/step.ts';
import type { Observation, ObservationType } from '../src/kinds/common.ts';

/**
 * Table-driven tests of the alert step with a fake clock. Each row is a sequence of inputs:
 *   [nowMs, observation type | 'tick', sampleTsMs?] and the expected state after each input,
 *   plus the transitions that must have happened, in order.
 */
type Input = [now: number, obs: ObservationType | 'tick', sampleTs?: number];
interface Row {
  name: string;
  rule: StepRule;
  inputs: Input[];
  states: AlertStateName[];
  transitions: string[];
}

const FOR_2S: StepRule = { forMs: 2_000, noData: 'keep' };
const NO_FOR: StepRule = { forMs: 0, noData: 'keep' };

const rows: Row[] = [
  {
    name: 'for: a breach held 2 s fires on the sample that completes the window',
    rule: FOR_2S,
    inputs: [[0, 'breach'], [1_000, 'breach'], [2_000, 'breach']],
    states: ['pending', 'pending', 'firing'],
    transitions: ['inactive>pending:breach@0', 'pending>firing:for_elapsed@2000'],
  },
  {
    name: 'for: the clock alone fires a pending alert once the window has elapsed',
    rule: FOR_2S,
    inputs: [[0, 'breach'], [1_999, 'tick'], [2_000, 'tick']],
    states: ['pending', 'pending', 'firing'],
    transitions: ['inactive>pending:breach@0', 'pending>firing:for_elapsed@2000'],
  },
  {
    name: 'for: a passing truck (tilt shorter than 2 s) never fires',
    rule: FOR_2S,
    inputs: [[0, 'breach'], [1_500, 'clear'], [5_000, 'tick']],
    states: ['pending', 'inactive', 'inactive'],
    transitions: ['inactive>pending:breach@0', 'pending>inactive:cleared@1500'],
  },
  {
    name: 'no for: fires at once, resolves on clear, fires again on the next breach',
    rule: NO_FOR,
    inputs: [[0, 'breach'], [10, 'clear'], [20, 'breach']],
    states: ['firing', 'resolved', 'firing'],
    transitions: ['inactive>firing:breach@0', 'firing>resolved:cleared@10', 'resolved>firing:breach@20'],
  },
  {
    name: 'hysteresis: between the levels a firing alert keeps firing',
    rule: NO_FOR,
    inputs: [[0, 'breach'], [10, 'hold'], [20, 'hold'], [30, 'clear']],
    states: ['firing', 'firing', 'firing', 'resolved'],
    transitions: ['inactive>firing:breach@0', 'firing>resolved:cleared@30'],
  },
  {
    name: 'hysteresis: between the levels a pending alert drops (the `for` window restarts)',
    rule: FOR_2S,
    inputs: [[0, 'breach'], [1_000, 'hold'], [1_500, 'breach'], [3_000, 'breach'], [3_500, 'breach']],
    states: ['pending', 'inactive', 'pending', 'pending', 'firing'],
    transitions: ['inactive>pending:breach@0', 'pending>inactive:below_clear_level@1000', 'inactive>pending:breach@1500', 'pending>firing:for_elapsed@3500'],
  },
  {
    name: 'flapping around the set level inside the hysteresis band: one firing, no resolve',
    rule: NO_FOR,
    inputs: [[0, 'breach'], [1, 'hold'], [2, 'breach'], [3, 'hold'], [4, 'breach'], [5, 'hold']],
    states: ['firing', 'firing', 'firing', 'firing', 'firing', 'firing'],
    transitions: ['inactive>firing:breach@0'],
  },
  {
    name: 'no-data, policy keep: nothing changes',
    rule: { forMs: 0, noData: 'keep' },
    inputs: [[0, 'breach'], [100, 'nodata']],
    states: ['firing', 'firing'],
    transitions: ['inactive>firing:breach@0'],
  },
  {
    name: 'no-data, policy resolve: a firing alert resolves',
    rule: { forMs: 0, noData: 'resolve' },
    inputs: [[0, 'breach'], [100, 'nodata']],
    states: ['firing', 'resolved'],
    transitions: ['inactive>firing:breach@0', 'firing>resolved:nodata@100'],
  },
  {
    name: 'no-data, policy alert: silence counts as a breach and honours `for`',
    rule: { forMs: 50, noData: 'alert' },
    inputs: [[0, 'nodata'], [60, 'nodata']],
    states: ['pending', 'firing'],
    transitions: ['inactive>pending:nodata@0', 'pending>firing:for_elapsed@60'],
  },
  {
    name: 'late reading: a clear older than the latest breach does not resolve',
    rule: NO_FOR,
    inputs: [[0, 'breach', 0], [100, 'breach', 100], [150, 'clear', 50]],
    states: ['firing', 'firing', 'firing'],
    transitions: ['inactive>firing:breach@0'],
  },
  {
    name: 'out of order: a breach older than the clear that resolved it does not fire again',
    rule: NO_FOR,
    inputs: [[0, 'breach', 0], [200, 'clear', 200], [300, 'breach', 100], [400, 'breach', 400]],
    states: ['firing', 'resolved', 'resolved', 'firing'],
    transitions: ['inactive>firing:breach@0', 'firing>resolved:cleared@200', 'resolved>firing:breach@400'],
  },
  {
    name: 'late batch: the `for` window is judged on sample times, not on arrival',
    rule: FOR_2S,
    inputs: [[5_000, 'breach', 0], [5_000, 'clear', 1_500]],
    states: ['pending', 'inactive'],
    transitions: ['inactive>pending:breach@0', 'pending>inactive:cleared@1500'],
  },
  {
    name: 'replayed or behind-clock sample: the clock fires only after `for` on the hub clock since it went pending',
    rule: FOR_2S,
    inputs: [[60_000, 'breach', 0], [60_000, 'tick'], [61_999, 'tick'], [62_000, 'tick']],
    states: ['pending', 'pending', 'pending', 'firing'],
    transitions: ['inactive>pending:breach@0', 'pending>firing:for_elapsed@62000'],
  },
  {
    name: 'replayed truck spike (tilt 1.5 s by the device clock, arriving a minute late): a tick in between does not fire',
    rule: FOR_2S,
    inputs: [[60_000, 'breach', 0], [60_500, 'tick'], [61_000, 'clear', 1_500], [70_000, 'tick']],
    states: ['pending', 'pending', 'inactive', 'inactive'],
    transitions: ['inactive>pending:breach@0', 'pending>inactive:cleared@1500'],
  },
  {
    name: 'a breach that held past `for` by the device clock, then cleared (report on change): fires at the end of the window, then resolves',
    rule: FOR_2S,
    inputs: [[100_000, 'breach', 0], [100_000, 'clear', 30_000]],
    states: ['pending', 'resolved'],
    transitions: ['inactive>pending:breach@0', 'pending>firing:for_elapsed@2000', 'firing>resolved:cleared@30000'],
  },
  {
    name: 'held past `for`, then between the levels: fires and keeps firing',
    rule: FOR_2S,
    inputs: [[0, 'breach', 0], [5_000, 'hold', 5_000]],
    states: ['pending', 'firing'],
    transitions: ['inactive>pending:breach@0', 'pending>firing:for_elapsed@2000'],
  },
];

function run(row: Row) {
  let s: AlertState = INITIAL_ALERT_STATE;
  const states: AlertStateName[] = [];
  const transitions: string[] = [];
  for (const [now, type, ts] of row.inputs) {
    const obs: Observation | null = type === 'tick' ? null : type === 'nodata' ? { type, tsMs: now, source: 'clock' } : { type, tsMs: ts ?? now, source: 'sample' };
    const r = step(s, obs, row.rule, now);
    s = r.next;
    states.push(s.state);
    for (const t of r.transitions) transitions.push(`${t.from}>${t.to}:${t.reason}@${t.atMs}`);
  }
  return { states, transitions, last: s };
}

describe('alert step (fake clock)', () => {
  it.each(rows)('$name', (row) => {
    const { states, transitions } = run(row);
    expect(states).toEqual(row.states);
    expect(transitions).toEqual(row.transitions);
  });

  it('keeps timestamps, so a stored pending state fires on time after a restart', () => {
    const first = run({ name: '', rule: FOR_2S, inputs: [[0, 'breach']], states: [], transitions: [] }).last;
    const restored: AlertState = JSON.parse(JSON.stringify(first));
    expect(restored.activeAtMs).toBe(0);
    expect(step(restored, null, FOR_2S, 1_999).next.state).toBe('pending');
    const fired = step(restored, null, FOR_2S, 2_000);
    expect(fired.next).toMatchObject({ state: 'firing', activeAtMs: 0, firedAtMs: 2_000 });
    // A restored firing state does not fire again on the next breach.
    expect(step(fired.next, { type: 'breach', tsMs: 3_000, source: 'sample' }, FOR_2S, 3_000).transitions).toEqual([]);
  });

  it('is pure: the previous state is never mutated', () => {
    const prev = { ...INITIAL_ALERT_STATE };
    const snapshot = JSON.stringify(prev);
    step(prev, { type: 'breach', tsMs: 1, source: 'sample', value: 3 }, NO_FOR, 1);
    expect(JSON.stringify(prev)).toBe(snapshot);
  });
});
