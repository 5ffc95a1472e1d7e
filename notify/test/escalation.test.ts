import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reading, Warden } from '@gridhub/core';
import { buildRuleSet, createRulesEngine, type RulesEngine } from '@gridhub/rules';
import { waitFor } from '@gridhub/testkit';
import { aliyunStandIn, wecomStandIn, type StandIn } from './standins.ts';
import { notifyYaml } from './fixtures.ts';
import { testBed, type Bed } from './support.ts';

/**
 * The escalation chain with the real rules engine writing the hub's real event log (SQLite) and
 * the notifier reading it by cursor; SMS to an Alibaba Cloud stand-in on loopback that verifies
 * each request's signature. A clock shared by the engine and the notifier is moved forward past
 * each accept deadline (P1: 2 minutes).
 */
const MIN = 60_000;
const wardens: Warden[] = [
  { id: 'leader-a', name: '王强', phone: '13800000001', role: 'grid_leader', gridId: 'ga' },
  { id: 'warden-a1', name: '李娜', phone: '13800000002', role: 'full_time', gridId: 'ga' },
];
let seq = 0;
const smokeAlarm = (deviceId: string, tsMs: number): Reading => ({
  deviceId, kind: 'smoke', message: 'event', tsMs, seq: ++seq, rxMs: tsMs, place: { street: 'st1', community: 'cm1', grid: 'ga', estate: 'hy', building: 'b1', unit: 'u1' },
  fields: { event: 'alarm', obscuration_pct: 12 },
});

describe('escalation: a P1 not accepted pages each level once; acceptance stops the rest', () => {
  let sms: StandIn;
  let wecom: StandIn;
  let bed: Bed;
  let engine: RulesEngine;
  let now = Date.now();
  const clock = () => now;
  const smsTo = (phone: string) => sms.accepted.filter((r) => (r.body as Record<string, string>).PhoneNumbers === phone).length;
  const templateTo = (phone: string) => sms.accepted.filter((r) => (r.body as Record<string, string>).PhoneNumbers === phone).map((r) => (r.body as Record<string, string>).TemplateCode);

  beforeAll(async () => {
    sms = await aliyunStandIn('LTAI-test', 'ali-secret', ['SMS_100', 'SMS_101', 'SMS_102', 'SMS_103']);
    wecom = await wecomStandIn('wk-secret-1');
    bed = await testBed('notify-escalation');
    engine = await createRulesEngine({ db: bed.store.db as never, rules: buildRuleSet({ version: 1 }), clock, eventLog: bed.store.eventLog, wardens: async (g) => wardens.filter((w) => w.gridId === g) });
    await engine.tickets.addShifts([{ gridId: 'ga', wardenId: 'warden-a1', fromMs: now - 60 * MIN, toMs: now + 8 * 60 * MIN }]);
  });
  afterAll(async () => {
    await bed?.close();
    await sms?.close();
    await wecom?.close();
  });

  const start = () => bed.notifier(notifyYaml({ aliyun: sms.url, wecom: wecom.url }), { reader: bed.store.eventLog, clock });
  const settle = async () => {
    await new Promise((r) => setTimeout(r, 300));
    await waitFor(async () => (await bed.store.db.selectFrom('notify_deliveries' as never).select('key' as never).where('state' as never, 'in', ['pending', 'failed'] as never).execute()).length === 0, 5000, 'queue empty');
  };

  it('warden at dispatch; grid leader at step 1; community officer at step 2; each once, a restart in between changing nothing', async () => {
    let n = await start();
    await engine.ingest([smokeAlarm('smk-1', now)]);
    await waitFor(() => smsTo('13800000002') === 1, 5000, 'the on-duty warden paged by SMS');
    expect(templateTo('13800000002')).toEqual(['SMS_100']);
    const [ticket] = await engine.tickets.list({ deviceId: 'smk-1' });
    expect(ticket!.assigneeId).toBe('warden-a1');

    now += 2 * MIN + 1000;
    await engine.tick();
    await waitFor(() => smsTo('13800000001') === 1, 5000, 'the grid leader paged at the first step');
    expect(templateTo('13800000001')).toEqual(['SMS_102']);
    await settle();

    // A restart (a new notifier on the same database) between the steps.
    await n.close();
    n = await start();
    await settle();
    expect(smsTo('13800000001')).toBe(1);
    expect(smsTo('13800000002')).toBe(1);

    now += 2 * MIN;
    await engine.tick();
    await waitFor(() => smsTo('13900000003') === 1, 5000, 'the community officer paged at the next step');
    await settle();

    await engine.act(ticket!.id, { type: 'accept' }, { id: 'warden-a1', role: 'warden' });
    // Past the accept chain's next step (T+6 min), short of the arrive deadline (T+10 min, which would escalate again).
    for (let i = 0; i < 3; i++) {
      now += MIN;
      await engine.tick();
    }
    await n.close();
    n = await start();
    await settle();
    expect(smsTo('13900000004')).toBe(0); // the street officer: never, the ticket was accepted
    expect([smsTo('13800000002'), smsTo('13800000001'), smsTo('13900000003')]).toEqual([1, 1, 1]);
    expect(sms.refused).toEqual([]);
    const pages = (await n.store.list({ ticketId: ticket!.id })).map((d) => `${d.recipient}@${d.channelId}:${d.state}`).sort();
    expect(pages).toEqual(['group:wecom-ga@wecom-ga:delivered', 'user:leader-a@sms-ali:delivered', 'user:officer-c@sms-ali:delivered', 'user:warden-a1@sms-ali:delivered']);
  });
});
