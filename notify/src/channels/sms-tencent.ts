import { createHash, createHmac } from 'node:crypto';
import type { Channel } from '../types.ts';
import { httpFailure, request } from './http.ts';
import { e164, smsChannel, type SmsTemplates } from './sms.ts';

/**
 * Tencent Cloud SMS (sms.tencentcloudapi.com, version 2021-01-11, action SendSms), signed with
 * TC3-HMAC-SHA256:
 *   CanonicalRequest = "POST\n/\n\n" + "content-type:application/json; charset=utf-8\nhost:{host}\n" + "\n"
 *                      + "content-type;host\n" + hex(SHA256(body))
 *   StringToSign     = "TC3-HMAC-SHA256\n{timestamp}\n{date}/sms/tc3_request\n" + hex(SHA256(CanonicalRequest))
 *   key              = HMAC(HMAC(HMAC("TC3" + SecretKey, date), "sms"), "tc3_request")
 *   Authorization    = "TC3-HMAC-SHA256 Credential={SecretId}/{date}/sms/tc3_request, SignedHeaders=content-type;host, Signature=" + hex(HMAC(key, StringToSign))
 * with X-TC-Action, X-TC-Version, X-TC-Timestamp, X-TC-Region headers. `date` is the UTC date of
 * the timestamp. Each SendStatusSet entry's Code "Ok" is success; LimitExceeded.* are rate limits.
 */
export const TENCENT_SMS_URL = 'https://sms.tencentcloudapi.com/';
const CONTENT_TYPE = 'application/json; charset=utf-8';

const sha256hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, msg: string) => createHmac('sha256', key).update(msg, 'utf8').digest();

export function tc3Authorization(o: { secretId: string; secretKey: string; host: string; timestampSec: number; body: string; service?: string }): string {
  const service = o.service ?? 'sms';
  const date = new Date(o.timestampSec * 1000).toISOString().slice(0, 10);
  const canonical = `POST\n/\n\ncontent-type:${CONTENT_TYPE}\nhost:${o.host}\n\ncontent-type;host\n${sha256hex(o.body)}`;
  const scope = `${date}/${service}/tc3_request`;
  const stringToSign = `TC3-HMAC-SHA256\n${o.timestampSec}\n${scope}\n${sha256hex(canonical)}`;
  const key = hmac(hmac(hmac(`TC3${o.secretKey}`, date), service), 'tc3_request');
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return `TC3-HMAC-SHA256 Credential=${o.secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`;
}

export interface TencentSmsConfig {
  id: string;
  secretId: string;
  secretKey: string;
  sdkAppId: string;
  signName: string;
  region?: string;
  templates: SmsTemplates;
  url?: string;
}

export function tencentSmsChannel(c: TencentSmsConfig, timeZone?: string, clock: () => number = Date.now): Channel {
  const url = c.url ?? TENCENT_SMS_URL;
  // Tencent's default per-number frequency limits: 1 per 30 s, 10 per hour.
  const limits = [{ limit: 1, windowMs: 30_000 }, { limit: 10, windowMs: 3600_000 }];
  return smsChannel({ id: c.id, type: 'sms_tencent', limits, templates: c.templates, timeZone }, async (phone, p, out) => {
    const body = JSON.stringify({
      PhoneNumberSet: [e164(phone)], SmsSdkAppId: c.sdkAppId, TemplateId: p.template, SignName: c.signName, TemplateParamSet: p.ordered, SessionContext: out.key.slice(0, 512),
    });
    const timestampSec = Math.floor(clock() / 1000);
    const host = new URL(url).host;
    const reply = await request(url, {
      headers: {
        'content-type': CONTENT_TYPE,
        authorization: tc3Authorization({ secretId: c.secretId, secretKey: c.secretKey, host, timestampSec, body }),
        'x-tc-action': 'SendSms',
        'x-tc-version': '2021-01-11',
        'x-tc-timestamp': String(timestampSec),
        'x-tc-region': c.region ?? 'ap-guangzhou',
      },
      body,
    });
    const r = (reply.json as { Response?: { Error?: { Code: string; Message: string }; SendStatusSet?: { Code: string; Message: string }[] } } | null)?.Response;
    if (!r) return httpFailure(reply);
    const code = r.Error?.Code ?? r.SendStatusSet?.[0]?.Code ?? 'Unknown';
    if (code === 'Ok') return { ok: true };
    const message = r.Error?.Message ?? r.SendStatusSet?.[0]?.Message ?? '';
    const rateLimited = code.startsWith('LimitExceeded') || code === 'RequestLimitExceeded';
    const retry = rateLimited || code.startsWith('InternalError') || code === 'FailedOperation.ServiceUnavailable' || reply.status >= 500;
    return { ok: false, retry, rateLimited, error: `${code} ${message}`.trim() };
  });
}
