import { describe, expect, it } from 'vitest';
import type { RulesEvent, Silence, Ticket } from '@gridhub/core';
import { DEFAULT_NOTIFY, route, settledTicketOf, triggerOf, type NotifyFile, type Person, type RoutingContext } from '../src/index.ts';

/** Routing is pure: a table of (event, context) -> pages. */
const ticket = (over: Partial<Ticket> = {}): Ticket => ({
  id: 'T-1', ruleId: 'smoke.alarm', subjectKey: 'sm-1', deviceId: 'sm-1', deviceKind: 'smoke', priority: 'P1', title: '烟感报警',
  place: { street: 's1', community: 'c1', grid: 'g1', estate: 'e1', building: 'b1', unit: 'u1' }, status: 'dispatched', gridId: 'g1', assigneeId: 'w1',
  department: null, incidentId: null, occurrences: 1, firstSeenMs: 0, lastSeenMs: 0, createdMs: 0, dispatchedMs: 0, acknowledgedMs: null, acknowledgedBy: null, acceptedMs: null, onSiteMs: null, resolvedMs: null,
  closedMs: null, conditionClearedMs: null, escalation: 0, overdue: [], firedTimers: [], returnCount: 0, reopenCount: 0, version: 1, ...over,
});
const person = (id: string, role: Person['role'], over: Partial<Person> = {}): Person => ({ id, name: id, role, gridId: 'g1', communityId: null, streetId: null, phone: '13800000000', locale: 'zh', channels: null, push: true, ...over });
const people = [
  person('w1', 'warden'), person('w2', 'warden', { channels: ['push'] }), person('w3', 'warden', { phone: null, push: false, locale: 'en' }),
  person('gl1', 'grid_leader'), person('co1', 'community_officer', { gridId: null, communityId: 'c1' }), person('so1', 'street_officer', { gridId: null, streetId: 's1' }),
];
const file: NotifyFile = {
  ...DEFAULT_NOTIFY,
  channels: [
    { id: 'sms', type: 'sms_aliyun', accessKeyId: 'k', accessKeySecret: 's', signName: 'x', templates: { alarm: 'SMS_1' } },
    { id: 'push', type: 'webpush', subject: 'mailto:a@b.cn', publicKey: 'p'.repeat(40), privateKey: 'k' },
    { id: 'wecom-g1', type: 'wecom', key: 'k', grids: ['g1'] },
    { id: 'ding-g2', type: 'dingtalk', accessToken: 't', secret: 's', grids: ['g2'] },
  ],
};
// 2026-12-01 12:00 UTC = 20:00 Beijing; 15:00 UTC = 23:00 Beijing (quiet hours 22:00-07:00).
const DAY = Date.UTC(2026, 11, 1, 12, 0);
const NIGHT = Date.UTC(2026, 11, 1, 15, 0);
const ctx = (over: Partial<RoutingContext> = {}): RoutingContext => ({ config: file, people, silences: [], nowMs: DAY, utcOffsetMin: 480, ...over });
const dispatch = (t: Ticket): RulesEvent => ({ type: 'ticket', ticket: t, transition: { ticketId: t.id, action: 'dispatch', from: 'new', to: 'dispatched', by: 'system', atMs: 0, note: null, data: { assigneeId: t.assigneeId } } });
const escalate = (level: number, to: string): RulesEvent => ({ type: 'ticket', ticket: ticket({ escalation: level }), transition: { ticketId: 'T-1', action: 'escalate', from: 'dispatched', to: 'dispatched', by: 'system', atMs: 0, note: null, data: { level, to } } });
const pagesOf = (e: RulesEvent, c = ctx()) => route(triggerOf(e)!, c).map((p) => `${p.recipient}@${p.channelId}${p.notBeforeMs ? ` held until ${new Date(p.notBeforeMs).toISOString()}` : ''}${p.suppressed ? ' (silenced)' : ''}`).sort();

describe('routing: who is paged for what', () => {
  const table: [string, RulesEvent, RoutingContext, string[]][] = [
    ['P1 dispatch: the on-duty warden by push and SMS, and the grid robot, at once', dispatch(ticket()), ctx(), ['group:wecom-g1@wecom-g1', 'user:w1@push', 'user:w1@sms']],
    ['P1 at night: never held', dispatch(ticket()), ctx({ nowMs: NIGHT }), ['group:wecom-g1@wecom-g1', 'user:w1@push', 'user:w1@sms']],
    ['a warden who chose push only gets push', dispatch(ticket({ assigneeId: 'w2' })), ctx(), ['group:wecom-g1@wecom-g1', 'user:w2@push']],
    ['a warden with no phone and no subscription: the robot group only', dispatch(ticket({ assigneeId: 'w3' })), ctx(), ['group:wecom-g1@wecom-g1']],
    ['another grid: its own robot', dispatch(ticket({ gridId: 'g2' })), ctx(), ['group:ding-g2@ding-g2', 'user:w1@push', 'user:w1@sms']],
    ['P2 dispatch: the assignee by push only, no group', dispatch(ticket({ priority: 'P2' })), ctx(), ['user:w1@push']],
    ['P3 by day: sent', dispatch(ticket({ priority: 'P3' })), ctx(), ['user:w1@push']],
    ['P3 in quiet hours: held until 07:00 Beijing', dispatch(ticket({ priority: 'P3' })), ctx({ nowMs: NIGHT }), ['user:w1@push held until 2026-12-01T23:00:00.000Z']],
    ['escalation 1 pages the grid leader', escalate(1, 'warden:gl1'), ctx(), ['group:wecom-g1@wecom-g1', 'user:gl1@push', 'user:gl1@sms']],
    ['escalation 2 pages the community officer', escalate(2, 'community:c1'), ctx(), ['group:wecom-g1@wecom-g1', 'user:co1@push', 'user:co1@sms']],
    ['escalation 3 pages the street officer', escalate(3, 'street:s1'), ctx(), ['group:wecom-g1@wecom-g1', 'user:so1@push', 'user:so1@sms']],
  ];
  it.each(table)('%s', (_name, e, c, expected) => expect(pagesOf(e, c)).toEqual(expected));

  it('a silence stops the page, not the record: pages come back marked silenced', () => {
    const silence: Silence = { id: 's', scope: { building: 'b1' }, ruleIds: null, fromMs: 0, toMs: DAY * 2, reason: 'maintenance' };
    expect(pagesOf(dispatch(ticket()), ctx({ silences: [silence] }))).toEqual(['group:wecom-g1@wecom-g1 (silenced)', 'user:w1@push (silenced)', 'user:w1@sms (silenced)']);
  });

  it('a confirmed fire pages once for the incident (its wardens and the robot); a detector joining it pages nobody', () => {
    const incident = { id: 'I-1', kind: 'confirmed_fire', priority: 'P1' as const, title: '确认火情', gridId: 'g1', estateId: 'e1', buildingId: 'b1', createdMs: 0 };
    const created = triggerOf({ type: 'incident', incident, ticketIds: ['T-1', 'T-2'], joined: false })!;
    if (created.event === 'incident') created.assigneeIds = ['w1'];
    expect(route(created, ctx()).map((p) => `${p.recipient}@${p.channelId}`).sort()).toEqual(['group:wecom-g1@wecom-g1', 'user:w1@push', 'user:w1@sms']);
    expect(triggerOf({ type: 'incident', incident, ticketIds: ['T-3'], joined: true })).toBeNull();
  });

  it('acceptance (and any later state) settles a ticket: its pending pages are cancelled', () => {
    const t = ticket({ status: 'accepted' });
    expect(settledTicketOf({ type: 'ticket', ticket: t, transition: { ticketId: 'T-1', action: 'accept', from: 'dispatched', to: 'accepted', by: 'w1', atMs: 0, note: null, data: null } })).toBe('T-1');
    expect(settledTicketOf(escalate(1, 'warden:gl1'))).toBeNull();
  });

  it('a user choosing a channel the route does not allow gets what the route allows', () => {
    const only = [person('w9', 'warden', { channels: ['sms'] })];
    expect(pagesOf(dispatch(ticket({ priority: 'P2', assigneeId: 'w9' })), ctx({ people: only }))).toEqual(['user:w9@push']);
  });
});
