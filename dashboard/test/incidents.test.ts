import { describe, expect, it } from 'vitest';
import type { DeviceLive, LiveTicket } from '@gridhub/core';
import { byAlarmUrgency, incidentsOf } from '../src/common/incidents.ts';

const place = { street: 's', community: 'c', grid: 'g1', estate: 'e1', building: 'b1', unit: 'u1' };
function t(id: string, over: Partial<LiveTicket> = {}): LiveTicket {
  return {
    id, ruleId: 'smoke.alarm', subjectKey: id, deviceId: `d-${id}`, deviceKind: 'smoke', priority: 'P1', title: 'x', place, status: 'dispatched', gridId: 'g1',
    assigneeId: 'w1', department: null, incidentId: null, acknowledgedMs: null, acknowledgedBy: null, occurrences: 1, firstSeenMs: 0, lastSeenMs: 0, createdMs: 0,
    dispatchedMs: 0, acceptedMs: null, onSiteMs: null, resolvedMs: null, closedMs: null, conditionClearedMs: null, escalation: 0, overdue: [], firedTimers: [],
    returnCount: 0, reopenCount: 0, version: 1, deadlines: {}, ...over,
  };
}

describe('the alarm list order', () => {
  it('unacknowledged first (priority, then newest); then open by deadline; cleared by themselves and resolved last', () => {
    const list = [
      t('resolved', { status: 'resolved', acknowledgedMs: 1 }),
      t('cleared-overdue', { conditionClearedMs: 5, acknowledgedMs: 1, overdue: ['accept'], deadlines: { accept: 10 } }),
      t('open-late-deadline', { acknowledgedMs: 1, deadlines: { close: 9_000 } }),
      t('open-near-deadline', { acknowledgedMs: 1, deadlines: { accept: 500 } }),
      t('p2-new', { priority: 'P2', createdMs: 900 }),
      t('p1-old', { createdMs: 100 }),
      t('p1-new', { createdMs: 800 }),
      t('p3-unacked', { priority: 'P3', acknowledgedMs: null, deadlines: { accept: 400 } }), // P3 needs no acknowledgement
    ];
    expect(list.sort(byAlarmUrgency(0)).map((x) => x.id)).toEqual(['p1-new', 'p1-old', 'p2-new', 'p3-unacked', 'open-near-deadline', 'open-late-deadline', 'cleared-overdue', 'resolved']);
  });
});

describe('incidents drawn from their tickets', () => {
  it('one per incident id: building, units, floors, detectors, first alarm, unacknowledged count', () => {
    const devices = new Map<string, DeviceLive>([
      ['d-a', { id: 'd-a', kind: 'smoke', gridId: 'g1', estateId: 'e1', floor: 3, liveness: 'online', alarm: true, batteryPct: null, lastSeenMs: null, lastEvent: null }],
      ['d-b', { id: 'd-b', kind: 'smoke', gridId: 'g1', estateId: 'e1', floor: 2, liveness: 'online', alarm: true, batteryPct: null, lastSeenMs: null, lastEvent: null }],
    ]);
    const [i, ...rest] = incidentsOf([t('a', { incidentId: 'i1', firstSeenMs: 50 }), t('b', { incidentId: 'i1', firstSeenMs: 20, acknowledgedMs: 60 }), t('c')], devices);
    expect(rest).toEqual([]);
    expect(i).toMatchObject({ id: 'i1', buildingId: 'b1', unitIds: ['u1'], floors: [2, 3], deviceIds: ['d-a', 'd-b'], firstAlarmMs: 20, unacknowledged: 1, open: 2 });
    expect(incidentsOf([t('a', { incidentId: 'i1', status: 'closed' })])).toEqual([]);
  });
});
