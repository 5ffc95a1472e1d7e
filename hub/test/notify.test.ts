import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uplinkTopic } from '@gridhub/core';
import { demoDeviceSecret } from '@gridhub/store';
import { tempDir, waitFor } from '@gridhub/testkit';
import { demoPassword } from '../src/auth/index.ts';
import { aliyunStandIn, dingtalkStandIn, feishuStandIn, wecomStandIn, type StandIn } from '../../notify/test/standins.ts';
import { notifyYaml } from '../../notify/test/fixtures.ts';
import { api, connect, login, testHub } from './support.ts';

/**
 * Notifications in the running hub: a smoke alarm published over real MQTT becomes a P1 ticket,
 * the event log commits it, the notifier reads it by cursor and pages the robot groups of the grid
 * and the on-duty warden. The providers are real HTTP servers on loopback standing in for WeCom,
 * DingTalk, Feishu and Alibaba Cloud SMS, each checking requests as the provider documents them
 * (notify/test/standins.ts). Demo site: grid g-lx-01, on duty w-lx-01-03.
 */
const GRID = 'g-lx-01';
const ON_DUTY = 'w-lx-01-03';

describe('hub: a P1 smoke alarm pages WeCom, DingTalk, Feishu and the warden by SMS', () => {
  let hub: Awaited<ReturnType<typeof testHub>>;
  let wecom: StandIn, ding: StandIn, feishu: StandIn, ali: StandIn;
  const secretKey = randomBytes(32).toString('hex');

  beforeAll(async () => {
    [wecom, ding, feishu, ali] = await Promise.all([
      wecomStandIn('wk-secret-1'), dingtalkStandIn('dt-token', 'SEC-ding-secret'), feishuStandIn('fs-hook', 'fs-secret'), aliyunStandIn('LTAI-test', 'ali-secret', ['SMS_100', 'SMS_101', 'SMS_102', 'SMS_103']),
    ]);
    const dir = tempDir('hub-notify-file');
    const file = join(dir, 'notify.yaml');
    writeFileSync(file, notifyYaml({ wecom: wecom.url, dingtalk: ding.url, feishu: feishu.url, aliyun: ali.url }, 'aliyun', '', GRID));
    hub = await testHub({ notifyFile: file, secretKey, publicUrl: 'https://hub.example.cn' });
    const leader = await login(hub, 'w-lx-01-01', demoPassword('w-lx-01-01'));
    const now = Date.now();
    expect((await api(hub, 'POST', '/api/rosters', { token: leader, body: { shifts: [{ gridId: GRID, wardenId: ON_DUTY, fromMs: now - 3600_000, toMs: now + 8 * 3600_000 }] } })).status).toBe(200);
  });
  afterAll(async () => {
    await hub?.dispose();
    for (const s of [wecom, ding, feishu, ali]) await s?.close();
  });

  it('the WeCom stand-in has it within 2 s of the publish; DingTalk and Feishu verified the signatures; the SMS verified; the ticket shows who was paged', async () => {
    const smoke = ((await api(hub, 'GET', `/api/devices?kind=smoke&grid=${GRID}&limit=1`)).body.items as { id: string }[])[0]!;
    const client = await connect(hub.mqttUrl, { clientId: smoke.id, username: smoke.id, password: demoDeviceSecret(smoke.id) });
    const t0 = Date.now();
    await client.publishAsync(uplinkTopic('smoke', smoke.id, 'event'), JSON.stringify({ ts: t0, seq: 1, event: 'alarm', obscuration_pct: 14 }), { qos: 1 });
    await client.endAsync();
    await waitFor(() => wecom.accepted.length > 0, 2000, 'the WeCom stand-in got the P1 alarm within 2 s');
    const latency = wecom.accepted[0]!.atMs - t0;
    expect(latency).toBeLessThan(2000);
    const content = (wecom.accepted[0]!.body as { markdown: { content: string } }).markdown.content;
    expect(content).toContain('P1');
    expect(content).toContain('https://hub.example.cn/m/tickets/');

    await waitFor(() => ding.accepted.length === 1 && feishu.accepted.length === 1 && ali.accepted.length === 1, 5000, 'DingTalk, Feishu and the SMS');
    expect([wecom, ding, feishu, ali].map((s) => s.refused.length)).toEqual([0, 0, 0, 0]);
    const tickets = (await api(hub, 'GET', `/api/tickets?device=${smoke.id}`)).body.items as { id: string; assigneeId: string }[];
    expect(tickets[0]!.assigneeId).toBe(ON_DUTY);
    await waitFor(async () => ((await api(hub, 'GET', `/api/tickets/${tickets[0]!.id}/pages`)).body.items as { state: string }[]).filter((p) => p.state === 'delivered').length === 4, 5000, 'pages delivered');
    const pages = (await api(hub, 'GET', `/api/tickets/${tickets[0]!.id}/pages`)).body.items as { recipient: string; channelId: string; state: string }[];
    expect(pages.map((p) => `${p.recipient}@${p.channelId}:${p.state}`).sort()).toEqual([
      'group:ding-ga@ding-ga:delivered',
      'group:feishu-ga@feishu-ga:delivered',
      'group:wecom-ga@wecom-ga:delivered',
      `user:${ON_DUTY}@sms-ali:delivered`,
    ]);

    const metrics = await (await fetch(`${hub.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/hub_notify_deliveries_total\{channel="wecom"\} 1/);
    expect(metrics).toMatch(/hub_notify_delivery_latency_seconds_count\{channel="wecom"\} 1/);
  });

  it('the API shows the notification file with secrets masked, and only to admins', async () => {
    const r = await api(hub, 'GET', '/api/notify/config');
    expect(r.status).toBe(200);
    const text = JSON.stringify(r.body);
    for (const s of ['wk-secret-1', 'SEC-ding-secret', 'fs-secret', 'ali-secret']) expect(text).not.toContain(s);
    const warden = await login(hub, ON_DUTY, demoPassword(ON_DUTY));
    expect((await api(hub, 'GET', '/api/notify/config', { token: warden })).status).toBe(403);
    expect((await api(hub, 'GET', '/api/notify/deliveries?state=dead')).body.items).toEqual([]);
  });

  it('a warden chooses push only: the next alarm pages the robots, and no SMS to them', async () => {
    const warden = await login(hub, ON_DUTY, demoPassword(ON_DUTY));
    expect((await api(hub, 'PUT', '/api/notify/me', { token: warden, body: { channels: ['push'], locale: 'en' } })).status).toBe(200);
    expect((await api(hub, 'GET', '/api/notify/me', { token: warden })).body).toEqual({ channels: ['push'], locale: 'en' });
    expect((await api(hub, 'PUT', '/api/notify/me', { token: warden, body: { channels: ['fax'], locale: 'en' } })).body.code).toBe('HUB_ERR_VALIDATION');
    const smoke = ((await api(hub, 'GET', `/api/devices?kind=smoke&grid=${GRID}&limit=50`)).body.items as { id: string; place: { building: string | null } }[]);
    const first = smoke[0]!;
    const other = smoke.find((d) => d.place.building !== first.place.building)!;
    const wecomBefore = wecom.accepted.length;
    const client = await connect(hub.mqttUrl, { clientId: other.id, username: other.id, password: demoDeviceSecret(other.id) });
    await client.publishAsync(uplinkTopic('smoke', other.id, 'event'), JSON.stringify({ ts: Date.now(), seq: 1, event: 'alarm', obscuration_pct: 14 }), { qos: 1 });
    await client.endAsync();
    await waitFor(() => wecom.accepted.length > wecomBefore, 10_000, 'the robot paged');
    const ticket = ((await api(hub, 'GET', `/api/tickets?device=${other.id}`)).body.items as { id: string }[])[0]!;
    const pages = (await api(hub, 'GET', `/api/tickets/${ticket.id}/pages`)).body.items as { recipient: string; channelId: string }[];
    // No SMS page at all (not one waiting for the per-number limit): push only, and this warden has no subscription.
    expect(pages.map((p) => `${p.recipient}@${p.channelId}`).sort()).toEqual(['group:ding-ga@ding-ga', 'group:feishu-ga@feishu-ga', 'group:wecom-ga@wecom-ga']);
  });

  it('admins edit the file through the API (a bad one is refused with a coded error, nothing saved) and send a test message', async () => {
    const bad = await api(hub, 'PUT', '/api/notify/config', { body: { yaml: 'version: 1\nchannels: [{ id: x, type: wecom }]\nroutes: []\n' } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('HUB_ERR_NOTIFY_CONFIG');
    const before = wecom.accepted.length;
    const r = await api(hub, 'POST', '/api/notify/test', { body: { channel: 'wecom-ga' } });
    expect(r.body).toEqual({ outcome: { ok: true } });
    expect(wecom.accepted.length).toBe(before + 1);
    expect((wecom.accepted.at(-1)!.body as { markdown: { content: string } }).markdown.content).toContain('测试消息');
    // Sending the masked file back keeps every secret: the robot still signs right.
    const masked = (await api(hub, 'GET', '/api/notify/config')).body.file;
    const { dump } = await import('js-yaml');
    expect((await api(hub, 'PUT', '/api/notify/config', { body: { yaml: dump(masked) } })).status).toBe(200);
    expect((await api(hub, 'POST', '/api/notify/test', { body: { channel: 'ding-ga' } })).body).toEqual({ outcome: { ok: true } });
    expect((await api(hub, 'POST', '/api/notify/test', { body: { channel: 'nope' } })).body.code).toBe('HUB_ERR_NOT_FOUND');
  });
});
