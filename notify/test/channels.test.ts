import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel, type Channel } from '../src/index.ts';
import { aliyunStandIn, dingtalkStandIn, feishuStandIn, tencentStandIn, webhookStandIn, wecomStandIn, type StandIn } from './standins.ts';
import { notice, SMOKE_NOTICE } from './fixtures.ts';

/**
 * Each channel against a real HTTP server on loopback standing in for the provider (the providers
 * cannot be reached from here). The stand-ins check every request as the provider documents it:
 * paths, keys, signatures (verified independently of the hub's signing code), bodies, sizes, limits.
 */
const group = { type: 'group' } as const;
const out = (notices = [SMOKE_NOTICE]) => ({ notices, locale: 'zh' as const, address: group, key: '1|group:x|x' });

describe('WeCom group robot', () => {
  let s: StandIn;
  beforeAll(async () => void (s = await wecomStandIn('wk-1')));
  afterAll(() => s.close());

  it('posts markdown with what, where, priority, when, deadline, who and the link', async () => {
    const ch = createChannel({ id: 'w', type: 'wecom', key: 'wk-1', url: `${s.url}/cgi-bin/webhook/send` });
    expect(await ch.send(out())).toEqual({ ok: true });
    const body = s.accepted.at(-1)!.body as { msgtype: string; markdown: { content: string } };
    expect(body.msgtype).toBe('markdown');
    const c = body.markdown.content;
    for (const part of ['P1', '烟感报警', '阳光花园 3号楼 1单元 5层', '12/01 20:00:00', '12/01 20:02:00', '张伟', 'https://hub.example.cn/m/tickets/T-1']) expect(c).toContain(part);
  });

  it('a wrong key is refused for good (not retried); the text limit of 2,048 bytes holds for a big digest', async () => {
    const bad = createChannel({ id: 'w', type: 'wecom', key: 'nope', url: `${s.url}/cgi-bin/webhook/send` });
    expect(await bad.send(out())).toMatchObject({ ok: false, retry: false, error: expect.stringContaining('93000') });
    const text = createChannel({ id: 'w', type: 'wecom', key: 'wk-1', url: `${s.url}/cgi-bin/webhook/send`, msgtype: 'text' });
    const many = Array.from({ length: 100 }, (_, i) => notice(i));
    const n = text.fit(many, 'zh');
    expect(n).toBeGreaterThan(5);
    expect(n).toBeLessThan(100);
    expect(await text.send(out(many.slice(0, n)))).toEqual({ ok: true });
    expect(Buffer.byteLength((s.accepted.at(-1)!.body as { text: { content: string } }).text.content)).toBeLessThanOrEqual(2048);
  });
});

describe('DingTalk signed robot', () => {
  let s: StandIn;
  beforeAll(async () => void (s = await dingtalkStandIn('dt-token', 'SEC-ding-secret')));
  afterAll(() => s.close());

  it('the stand-in verifies timestamp + sign; a wrong secret fails the signature', async () => {
    const ok = createChannel({ id: 'd', type: 'dingtalk', accessToken: 'dt-token', secret: 'SEC-ding-secret', url: `${s.url}/robot/send` });
    expect(await ok.send(out())).toEqual({ ok: true });
    expect((s.accepted.at(-1)!.body as { markdown: { title: string } }).markdown.title).toContain('烟感报警');
    const bad = createChannel({ id: 'd', type: 'dingtalk', accessToken: 'dt-token', secret: 'SEC-other', url: `${s.url}/robot/send` });
    expect(await bad.send(out())).toMatchObject({ ok: false, retry: false, error: expect.stringContaining('310000') });
    expect(s.refused.at(-1)!.reason).toBe('sign not match');
  });

  it('past 20 per minute the robot answers 130101: rate-limited, retried later', async () => {
    const ch: Channel = createChannel({ id: 'd', type: 'dingtalk', accessToken: 'dt-token', secret: 'SEC-ding-secret', url: `${s.url}/robot/send` });
    let last;
    for (let i = 0; i < 20; i++) last = await ch.send(out());
    expect(last).toMatchObject({ ok: false, retry: true, rateLimited: true });
  });
});

describe('Feishu signed bot', () => {
  let s: StandIn;
  beforeAll(async () => void (s = await feishuStandIn('fs-hook', 'fs-secret')));
  afterAll(() => s.close());

  it('the stand-in verifies the reversed HMAC (key = timestamp + secret, empty message)', async () => {
    const ok = createChannel({ id: 'f', type: 'feishu', hook: 'fs-hook', secret: 'fs-secret', url: `${s.url}/open-apis/bot/v2/hook/` });
    expect(await ok.send(out())).toEqual({ ok: true });
    const bad = createChannel({ id: 'f', type: 'feishu', hook: 'fs-hook', secret: 'other', url: `${s.url}/open-apis/bot/v2/hook/` });
    expect(await bad.send(out())).toMatchObject({ ok: false, retry: false, error: expect.stringContaining('19021') });
    expect(ok.limits).toEqual([{ limit: 100, windowMs: 60_000 }, { limit: 5, windowMs: 1000 }]);
  });
});

describe('SMS: Alibaba Cloud and Tencent Cloud', () => {
  let ali: StandIn;
  let tc: StandIn;
  beforeAll(async () => {
    ali = await aliyunStandIn('LTAI-test', 'ali-secret', ['SMS_100', 'SMS_101']);
    tc = await tencentStandIn('AKID-test', 'tc-secret', '1400000001', ['1001', '1002']);
  });
  afterAll(async () => {
    await ali.close();
    await tc.close();
  });
  const phone = { type: 'phone', phone: '+86 138-0013-8000' } as const;

  it('Alibaba: SendSms signed (HMAC-SHA1, sorted percent-encoded parameters) with the template and its JSON params', async () => {
    const ch = createChannel({ id: 'a', type: 'sms_aliyun', accessKeyId: 'LTAI-test', accessKeySecret: 'ali-secret', signName: '阳光社区', templates: { alarm: 'SMS_100', digest: 'SMS_101' }, url: `${ali.url}/` });
    expect(await ch.send({ ...out(), address: phone })).toEqual({ ok: true });
    const p = ali.accepted.at(-1)!.body as Record<string, string>;
    expect(p.PhoneNumbers).toBe('13800138000');
    expect(p.TemplateCode).toBe('SMS_100');
    expect(JSON.parse(p.TemplateParam!)).toMatchObject({ priority: 'P1', title: '烟感报警 Smoke alarm', place: '阳光花园 3号楼 1单元 5层' });
    expect(await ch.send({ ...out([notice(1), notice(2)]), address: phone })).toEqual({ ok: true });
    expect((ali.accepted.at(-1)!.body as Record<string, string>).TemplateCode).toBe('SMS_101');
    const bad = createChannel({ id: 'a', type: 'sms_aliyun', accessKeyId: 'LTAI-test', accessKeySecret: 'wrong', signName: '阳光社区', templates: { alarm: 'SMS_100' }, url: `${ali.url}/` });
    expect(await bad.send({ ...out(), address: phone })).toMatchObject({ ok: false, retry: false, error: expect.stringContaining('SignatureDoesNotMatch') });
  });

  it('Tencent: SendSms signed with TC3-HMAC-SHA256, E.164 numbers, the template id and ordered params', async () => {
    const ch = createChannel({ id: 't', type: 'sms_tencent', secretId: 'AKID-test', secretKey: 'tc-secret', sdkAppId: '1400000001', signName: '阳光社区', templates: { alarm: '1001' }, url: `${tc.url}/` });
    expect(await ch.send({ ...out(), address: phone })).toEqual({ ok: true });
    const b = tc.accepted.at(-1)!.body as { PhoneNumberSet: string[]; TemplateParamSet: string[] };
    expect(b.PhoneNumberSet).toEqual(['+8613800138000']);
    expect(b.TemplateParamSet.slice(0, 3)).toEqual(['P1', '烟感报警 Smoke alarm', '阳光花园 3号楼 1单元 5层']);
    const bad = createChannel({ id: 't', type: 'sms_tencent', secretId: 'AKID-test', secretKey: 'wrong', sdkAppId: '1400000001', signName: '阳光社区', templates: { alarm: '1001' }, url: `${tc.url}/` });
    expect(await bad.send({ ...out(), address: phone })).toMatchObject({ ok: false, retry: false, error: expect.stringContaining('AuthFailure.SignatureFailure') });
  });
});

describe('generic signed webhook', () => {
  it('signs timestamp + raw body; a receiver refuses a wrong secret and drops a repeated delivery id', async () => {
    const s = await webhookStandIn('city-secret');
    try {
      const ch = createChannel({ id: 'h', type: 'webhook', url: `${s.url}/hook`, secret: 'city-secret' });
      expect(await ch.send(out())).toEqual({ ok: true });
      expect(await ch.send(out())).toEqual({ ok: true });
      expect(s.deliveries.size).toBe(1);
      expect((s.accepted[0]!.body as { notices: unknown[] }).notices).toEqual([SMOKE_NOTICE]);
      const bad = createChannel({ id: 'h', type: 'webhook', url: `${s.url}/hook`, secret: 'other' });
      expect(await bad.send(out())).toMatchObject({ ok: false, retry: false, error: 'HTTP 401' });
    } finally {
      await s.close();
    }
  });

  it('a provider that does not answer is a retryable failure', async () => {
    const ch = createChannel({ id: 'h', type: 'webhook', url: 'http://127.0.0.1:9/hook', secret: 's' });
    expect(await ch.send(out())).toMatchObject({ ok: false, retry: true });
  });
});
