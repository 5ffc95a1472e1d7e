import type { Notice } from '../src/index.ts';

export const SMOKE_NOTICE: Notice = {
  kind: 'alarm', priority: 'P1', ticketId: 'T-1', incidentId: null, title: '烟感报警 Smoke alarm',
  where: { estate: '阳光花园', building: '3号楼', unit: '1单元', floor: 5 }, atMs: Date.UTC(2026, 11, 1, 12, 0, 0), deadlineMs: Date.UTC(2026, 11, 1, 12, 2, 0),
  assignee: '张伟', level: null, count: null, link: 'https://hub.example.cn/m/tickets/T-1',
};

export const notice = (i: number, over: Partial<Notice> = {}): Notice => ({ ...SMOKE_NOTICE, ticketId: `T-${i}`, link: `https://hub.example.cn/m/tickets/T-${i}`, ...over });

export interface Urls {
  wecom?: string;
  dingtalk?: string;
  feishu?: string;
  aliyun?: string;
  tencent?: string;
  webhook?: string;
  /** A VAPID key pair: a web-push channel. */
  webpush?: { publicKey: string; privateKey: string };
}

/** A notification file pointing every channel at its stand-in (grid `ga`), SMS through `sms`. */
export function notifyYaml(u: Urls, sms: 'aliyun' | 'tencent' = 'aliyun', extra = '', grid = 'ga'): string {
  const ch: string[] = [];
  if (u.wecom) ch.push(`  - { id: wecom-ga, type: wecom, key: wk-secret-1, grids: [${grid}], url: "${u.wecom}/cgi-bin/webhook/send" }`);
  if (u.dingtalk) ch.push(`  - { id: ding-ga, type: dingtalk, accessToken: dt-token, secret: SEC-ding-secret, grids: [${grid}], url: "${u.dingtalk}/robot/send" }`);
  if (u.feishu) ch.push(`  - { id: feishu-ga, type: feishu, hook: fs-hook, secret: fs-secret, grids: [${grid}], url: "${u.feishu}/open-apis/bot/v2/hook/" }`);
  if (u.aliyun) ch.push(`  - { id: sms-ali, type: sms_aliyun, accessKeyId: LTAI-test, accessKeySecret: ali-secret, signName: 和苑社区, templates: { alarm: SMS_100, escalation: SMS_102, digest: SMS_101, incident: SMS_103 }, url: "${u.aliyun}/" }`);
  if (u.tencent) ch.push(`  - { id: sms-tc, type: sms_tencent, secretId: AKID-test, secretKey: tc-secret, sdkAppId: "1400000001", signName: 和苑社区, templates: { alarm: "1001", escalation: "1002", digest: "1003" }, url: "${u.tencent}/" }`);
  if (u.webhook) ch.push(`  - { id: city, type: webhook, url: "${u.webhook}/hook", secret: city-secret, grids: [${grid}] }`);
  if (u.webpush) ch.push(`  - { id: push, type: webpush, subject: "mailto:ops@hub.example.cn", publicKey: ${u.webpush.publicKey}, privateKey: ${u.webpush.privateKey} }`);
  const smsId = sms === 'aliyun' ? (u.aliyun ? 'sms-ali' : null) : u.tencent ? 'sms-tc' : null;
  return `version: 1
${smsId ? `sms: ${smsId}\n` : ''}quietHours: "22:00-07:00"
channels:
${ch.join('\n')}
routes:
  - name: P1 now
    match: { events: [dispatch, incident], priorities: [P1] }
    people: [assignee]
    personChannels: [push, sms]
    groups: [grid]
  - name: escalation
    match: { events: [escalate] }
    people: [level]
    personChannels: [push, sms]
contacts:
  - { user: officer-c, phone: "13900000003", community: cm1 }
  - { user: officer-s, phone: "13900000004", street: st1 }
${extra}`;
}
