import { describe, expect, it } from 'vitest';
import { INITIAL_ALERT_STATE, step } from '../src/alert/step.ts';
import { alertFromRow, alertToRow, type StoredAlert } from '../src/store/rows.ts';

describe('alert rows', () => {
  it('keep when the hub saw a pending alert start (a restart does not fire a replayed breach early), apart from the kind memory', () => {
    const pending = step(INITIAL_ALERT_STATE, { type: 'breach', tsMs: 1_000, source: 'sample', value: 12 }, { forMs: 2_000, noData: 'keep' }, 90_000).next;
    expect(pending).toMatchObject({ state: 'pending', activeAtMs: 1_000, pendingSeenMs: 90_000 });
    const a: StoredAlert = { ruleId: 'manhole.tilt', subjectKey: 'mh1', deviceId: 'mh1', alert: pending, memory: { lastBreachMs: 1_000 } };
    const back = alertFromRow(alertToRow(a, 90_000));
    expect(back).toEqual(a);
    // After the restart the clock still measures `for` from 90 s, not from the device's 1 s.
    expect(step(back.alert, null, { forMs: 2_000, noData: 'keep' }, 91_000).next.state).toBe('pending');
    expect(step(back.alert, null, { forMs: 2_000, noData: 'keep' }, 92_000).next.state).toBe('firing');
  });

  it('an alert that is not pending stores its memory unchanged', () => {
    const a: StoredAlert = { ruleId: 'ebike.repeat', subjectKey: 'unit:u1', deviceId: 'eb1', alert: INITIAL_ALERT_STATE, memory: { times: [1, 5] } };
    expect(JSON.parse(alertToRow(a, 1).memory)).toEqual({ times: [1, 5] });
    expect(alertFromRow(alertToRow(a, 1))).toEqual(a);
  });
});
