import { createHmac, randomUUID } from 'node:crypto';
import type { Channel } from '../types.ts';
import { httpFailure, request } from './http.ts';
import { smsChannel, type SmsTemplates } from './sms.ts';

/**
 * Alibaba Cloud SMS (dysmsapi, version 2017-05-25, action SendSms), RPC style with signature v1:
 * the request parameters (common + PhoneNumbers, SignName, TemplateCode, TemplateParam as a JSON
 * string) sorted by name, each percent-encoded (RFC 3986: space %20, * %2A, ~ kept), joined by
 * & into the canonicalized query; StringToSign = "POST&%2F&" + percentEncode(canonicalized);
 * Signature = Base64(HMAC-SHA1(key = AccessKeySecret + "&", StringToSign)); POSTed as a form.
 * The answer's Code "OK" is success; isv.BUSINESS_LIMIT_CONTROL and Throttling.* are rate limits.
 */
export const ALIYUN_SMS_URL = 'https://dysmsapi.aliyuncs.com/';

export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function aliyunSignature(params: Record<string, string>, accessKeySecret: string, method = 'POST'): string {
  const canonical = Object.keys(params)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`)
    .join('&');
  const stringToSign = `${method}&${percentEncode('/')}&${percentEncode(canonical)}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}

export interface AliyunSmsConfig {
  id: string;
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  regionId?: string;
  templates: SmsTemplates;
  url?: string;
}

/** Mainland numbers without +86 (Alibaba takes 11-digit numbers; +86 prefix stripped). */
const aliyunPhone = (p: string) => p.replace(/[\s-]/g, '').replace(/^\+86/, '');

export function aliyunSmsChannel(c: AliyunSmsConfig, timeZone?: string, clock: () => number = Date.now): Channel {
  // Alibaba's default per-number flow control: 1 per minute, 5 per hour.
  const limits = [{ limit: 1, windowMs: 60_000 }, { limit: 5, windowMs: 3600_000 }];
  return smsChannel({ id: c.id, type: 'sms_aliyun', limits, templates: c.templates, timeZone }, async (phone, p, out) => {
    const params: Record<string, string> = {
      AccessKeyId: c.accessKeyId,
      Action: 'SendSms',
      Format: 'JSON',
      RegionId: c.regionId ?? 'cn-hangzhou',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: randomUUID(),
      SignatureVersion: '1.0',
      Timestamp: new Date(clock()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Version: '2017-05-25',
      PhoneNumbers: aliyunPhone(phone),
      SignName: c.signName,
      TemplateCode: p.template,
      TemplateParam: JSON.stringify(p.named),
      OutId: out.key.slice(0, 64),
    };
    params.Signature = aliyunSignature(params, c.accessKeySecret);
    const body = Object.entries(params).map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
    const reply = await request(c.url ?? ALIYUN_SMS_URL, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const j = reply.json as { Code?: string; Message?: string } | null;
    if (j?.Code === 'OK') return { ok: true };
    if (!j?.Code) return httpFailure(reply);
    const rateLimited = j.Code === 'isv.BUSINESS_LIMIT_CONTROL' || j.Code.startsWith('Throttling');
    const retry = rateLimited || j.Code === 'ServiceUnavailable' || j.Code.startsWith('InternalError') || reply.status >= 500;
    return { ok: false, retry, rateLimited, error: `${j.Code} ${j.Message ?? ''}`.trim() };
  });
}
