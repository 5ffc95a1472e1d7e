import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@gridhub/testkit';
import { MASK } from '../src/index.ts';
import { aliyunStandIn, dingtalkStandIn, feishuStandIn, tencentStandIn, webhookStandIn, wecomStandIn, type StandIn } from './standins.ts';
import { notifyYaml } from './fixtures.ts';
import { accepted, dispatched, P1_TICKET } from './events.ts';
import { testBed, type Bed } from './support.ts';

/**
 * The notification path end to end, minus the hub: events committed to the hub's event log
 * (`events`, store/src/events.ts) are read by cursor, routed, queued durably and sent to real
 * HTTP servers on loopback standing in for WeCom, DingTalk, Feishu, Alibaba Cloud SMS, Tencent
 * Cloud SMS and a city webhook, each checking requests as the provider documents them
 * (notify/test/standins.ts). One suite, run on SQLite and on PostgreSQL.
 */
export function deliverySuite(label: string, opts: { postgresUrl?: () => string; skip?: boolean } = {}): void {
describe.skipIf(!!opts.skip)(`notifications through the log (${label})`, () => {
  let wecom: StandIn, ding: StandIn, feishu: StandIn, ali: StandIn, tc: StandIn, hook: StandIn;
  let bed: Bed;
  beforeAll(async () => {
    [wecom, ding, feishu, ali, tc, hook] = await Promise.all([
      wecomStandIn('wk-secret-1'), dingtalkStandIn('dt-token', 'SEC-ding-secret'), feishuStandIn('fs-hook', 'fs-secret'),
      aliyunStandIn('LTAI-test', 'ali-secret', ['SMS_100', 'SMS_101', 'SMS_102', 'SMS_103']), tencentStandIn('AKID-test', 'tc-secret', '1400000001', ['1001', '1002', '1003']), webhookStandIn('city-secret'),
    ]);
  });
  afterAll(async () => {
    for (const s of [wecom, ding, feishu, ali, tc, hook]) await s?.close();
  });
  afterEach(async () => bed?.close());
  const bedFor = (name: string) => testBed(name, { postgresUrl: opts.postgresUrl?.() });
  const urls = () => ({ wecom: wecom.url, dingtalk: ding.url, feishu: feishu.url, aliyun: ali.url, tencent: tc.url, webhook: hook.url });
  const hasTicket = (s: StandIn, id: string) => s.accepted.filter((r) => r.raw.includes(`/m/tickets/${id}`) || r.raw.includes(id)).length;

  it('a P1 smoke alarm: WeCom within 2 s; DingTalk and Feishu signed; the warden by SMS (Alibaba); the webhook signed; each once', async () => {
    bed = await bedFor('notify-p1');
    const n = await bed.notifier(notifyYaml(urls()));
    const t = P1_TICKET(1);
    const committed = Date.now();
    await bed.log.append([dispatched(t)]);
    await waitFor(() => hasTicket(wecom, 'T-1') > 0, 2000, 'WeCom stand-in got the P1 within 2 s');
    const latency = wecom.accepted.at(-1)!.atMs - committed;
    expect(latency).toBeLessThan(2000);
    await waitFor(async () => (await n.store.list({ ticketId: 'T-1' })).every((d) => d.state === 'delivered'), 5000, 'every page delivered');
    const pages = await n.store.list({ ticketId: 'T-1' });
    expect(pages.map((d) => `${d.recipient}@${d.channelId}`).sort()).toEqual(['group:city@city', 'group:ding-ga@ding-ga', 'group:feishu-ga@feishu-ga', 'group:wecom-ga@wecom-ga', 'user:warden-a1@sms-ali']);
    for (const s of [wecom, ding, feishu, hook]) expect(hasTicket(s, 'T-1')).toBe(1);
    expect(ali.accepted.filter((r) => (r.body as Record<string, string>).PhoneNumbers === '13800000002')).toHaveLength(1);
    expect([wecom, ding, feishu, ali, hook].every((s) => s.refused.length === 0)).toBe(true);
    // Read again from the start (a crash before anything was remembered): the keys insert nothing twice.
    await n.store.setCursor('notify', 0, Date.now());
    await n.drain();
    expect(await n.store.list({ ticketId: 'T-1' })).toHaveLength(5);
    expect(hasTicket(wecom, 'T-1')).toBe(1);
  });

  it('Tencent Cloud SMS as the SMS provider: the stand-in verifies TC3-HMAC-SHA256', async () => {
    bed = await bedFor('notify-tc');
    const n = await bed.notifier(notifyYaml({ tencent: tc.url }, 'tencent'));
    await bed.log.append([dispatched(P1_TICKET(2))]);
    await waitFor(() => tc.accepted.length > 0, 5000, 'Tencent stand-in got the SMS');
    expect((tc.accepted[0]!.body as { PhoneNumberSet: string[] }).PhoneNumberSet).toEqual(['+8613800000002']);
    await waitFor(async () => (await n.store.list({ ticketId: 'T-2' }))[0]?.state === 'delivered', 5000, 'delivered');
  });

  it('committed while no notifier ran (the hub crashed after the commit): paged when it starts', async () => {
    bed = await bedFor('notify-crash');
    const first = await bed.notifier(notifyYaml({ wecom: wecom.url }));
    await first.close();
    await bed.log.append([dispatched(P1_TICKET(3))]);
    await new Promise((r) => setTimeout(r, 300));
    expect(hasTicket(wecom, 'T-3')).toBe(0);
    await bed.notifier(notifyYaml({ wecom: wecom.url }));
    await waitFor(() => hasTicket(wecom, 'T-3') === 1, 3000, 'paged after the restart');
  });

  it('an accepted ticket: its pages still waiting (provider down) are cancelled, never sent', async () => {
    bed = await bedFor('notify-cancel');
    const n = await bed.notifier(notifyYaml({ feishu: feishu.url }));
    feishu.outageUntilMs = Date.now() + 3000;
    const t = P1_TICKET(4);
    await bed.log.append([dispatched(t)]);
    await waitFor(async () => (await n.store.list({ ticketId: 'T-4' }))[0]?.state === 'failed', 3000, 'the first attempt failed');
    await bed.log.append([accepted(t)]);
    await waitFor(async () => (await n.store.list({ ticketId: 'T-4' }))[0]?.state === 'cancelled', 3000, 'cancelled');
    await new Promise((r) => setTimeout(r, 3500));
    expect(hasTicket(feishu, 'T-4')).toBe(0);
    expect((await n.store.list({ ticketId: 'T-4' }))[0]).toMatchObject({ state: 'cancelled', lastError: 'ticket accepted: no longer relevant' });
  });

  it('refused for good (a wrong robot key): the dead-letter list at once, and an operator can requeue it', async () => {
    bed = await bedFor('notify-dead');
    const n = await bed.notifier(notifyYaml({ wecom: wecom.url }).replace('wk-secret-1', 'wk-wrong'));
    await bed.log.append([dispatched(P1_TICKET(5))]);
    await waitFor(async () => (await n.store.list({ state: 'dead' })).length === 1, 3000, 'dead-lettered');
    const [dead] = await n.store.list({ state: 'dead' });
    expect(dead!.lastError).toContain('93000');
    expect(n.stats.byType.get('wecom')?.dead).toBe(1);
    await n.putConfig(notifyYaml({ wecom: wecom.url }), 'admin');
    expect(await n.store.requeue(dead!.key, Date.now())).toBe(true);
    n.kick();
    await waitFor(async () => (await n.store.get(dead!.key))?.state === 'delivered', 3000, 'delivered after requeue');
  });

  it('a confirmed fire: one message for the first detector and one for the incident, not one per detector', async () => {
    bed = await bedFor('notify-fire');
    const n = await bed.notifier(notifyYaml({ wecom: wecom.url }));
    const place = { street: 'st1', community: 'cm1', grid: 'ga', estate: 'hy', building: 'b-fire', unit: 'u1' };
    const [a, b, c] = [P1_TICKET(71, { place }), P1_TICKET(72, { place }), P1_TICKET(73, { place })];
    const before = wecom.accepted.length;
    await bed.log.append([dispatched(a!)]);
    await waitFor(() => wecom.accepted.length === before + 1, 3000, 'the first detector paged');
    await bed.log.append([dispatched(b!), { type: 'incident', incident: { id: 'I-1', kind: 'confirmed_fire', priority: 'P1', title: '确认火情 Confirmed fire', gridId: 'ga', estateId: 'hy', buildingId: 'b-fire', createdMs: Date.now() }, ticketIds: ['T-71', 'T-72'], joined: false }]);
    await bed.log.append([dispatched(c!), { type: 'incident', incident: { id: 'I-1', kind: 'confirmed_fire', priority: 'P1', title: '确认火情 Confirmed fire', gridId: 'ga', estateId: 'hy', buildingId: 'b-fire', createdMs: Date.now() }, ticketIds: ['T-73'], joined: true }]);
    await waitFor(async () => (await n.store.countByState()).every((r) => r.state === 'delivered' || r.state === 'cancelled'), 5000, 'settled');
    await new Promise((r) => setTimeout(r, 500));
    const sent = wecom.accepted.slice(before).map((r) => (r.body as { markdown: { content: string } }).markdown.content.split('\n')[0]);
    expect(sent).toEqual(['**【P1 告警】烟感报警 Smoke alarm**', '**【P1 确认火情】确认火情 Confirmed fire**']);
    const merged = [...(await n.store.list({ ticketId: 'T-72' })), ...(await n.store.list({ ticketId: 'T-73' }))];
    expect(merged.map((d) => `${d.state}: ${d.lastError}`)).toEqual(expect.arrayContaining([expect.stringMatching(/^cancelled: merged into /)]));
    expect(merged.every((d) => d.state === 'cancelled')).toBe(true);
  });

  it('secrets: masked in what the API returns, encrypted at rest, never logged, a mask sent back keeps them', async () => {
    bed = await bedFor('notify-secrets');
    const logged: string[] = [];
    const capture = pino({ level: 'trace' }, { write: (line: string) => void logged.push(line) });
    const n = await bed.notifier(notifyYaml(urls()), { log: capture });
    const shown = JSON.stringify(n.config().file);
    for (const s of ['wk-secret-1', 'SEC-ding-secret', 'fs-hook', 'fs-secret', 'ali-secret', 'tc-secret', 'city-secret']) expect(shown).not.toContain(s);
    expect(shown).toContain(MASK);
    const row = await bed.store.db.selectFrom('notify_config' as never).selectAll().executeTakeFirstOrThrow() as { body: string };
    for (const s of ['wk-secret-1', 'SEC-ding-secret', 'fs-secret', 'ali-secret', 'tc-secret', 'city-secret']) expect(row.body).not.toContain(s);
    expect(row.body).toContain('enc:v1:');
    // The admin edits a route and sends the masked file back: the robot still works.
    await n.putConfig(notifyYaml(urls()).replaceAll(/(key|accessToken|secret|hook|accessKeySecret|secretKey): [^,}]+/g, `$1: "${MASK}"`), 'admin');
    await bed.log.append([dispatched(P1_TICKET(6))]);
    await waitFor(() => hasTicket(wecom, 'T-6') === 1 && hasTicket(ding, 'T-6') === 1, 3000, 'still signed right after the masked save');
    // A refused robot (wrong key) is logged: without any secret.
    await n.putConfig(notifyYaml(urls()).replace('wk-secret-1', 'wk-secret-wrong'), 'admin');
    await bed.log.append([dispatched(P1_TICKET(7))]);
    await waitFor(() => logged.some((l) => l.includes('dead-lettered')), 3000, 'the refusal logged');
    for (const s of ['wk-secret-1', 'wk-secret-wrong', 'SEC-ding-secret', 'fs-secret', 'ali-secret', 'tc-secret', 'city-secret', 'dt-token']) expect(logged.join('\n')).not.toContain(s);
  });
});
}
