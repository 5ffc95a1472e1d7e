import { createHmac } from 'node:crypto';
import { cutBytes, render } from '../content.ts';
import type { Channel, Outgoing } from '../types.ts';
import { attempt, postJson, robotOutcome } from './http.ts';
import { robotFit } from './robot.ts';

/**
 * Feishu / Lark custom bot with signature verification (签名校验): POST {url}{hook} with
 * `{"timestamp": "<seconds>", "sign", "msg_type": "text", "content": {"text"}}` where
 * sign = Base64(HMAC-SHA256(key = "{timestamp}\n{secret}", message = empty)) — the reverse of
 * DingTalk's. Limits: 100 per minute and 5 per second per bot; request body at most 20 KB.
 * `code` 0 is success; 9499 and 11232 are its rate limit (retried later).
 */
export const FEISHU_URL = 'https://open.feishu.cn/open-apis/bot/v2/hook/';
export const FEISHU_RATE_CODES = [9499, 11232];
const MAX_BYTES = 20 * 1024;

export function feishuSign(secret: string, timestampSec: number): string {
  return createHmac('sha256', `${timestampSec}\n${secret}`).update(Buffer.alloc(0)).digest('base64');
}

export function feishuChannel(c: { id: string; hook: string; secret: string; url?: string }, timeZone?: string, clock: () => number = Date.now): Channel {
  const wrap = (text: string) => ({ timestamp: '1700000000', sign: 'x'.repeat(44), msg_type: 'text', content: { text } });
  return {
    id: c.id,
    type: 'feishu',
    limits: [{ limit: 100, windowMs: 60_000 }, { limit: 5, windowMs: 1000 }],
    maxBytes: MAX_BYTES,
    fit: (notices, locale) => robotFit(notices, locale, 'plain', MAX_BYTES, wrap, timeZone),
    send: (out: Outgoing) =>
      attempt(async () => {
        const timestamp = Math.floor(clock() / 1000);
        const body = { timestamp: String(timestamp), sign: feishuSign(c.secret, timestamp), msg_type: 'text', content: { text: cutBytes(render(out.notices, out.locale, 'plain', timeZone), MAX_BYTES - 200) } };
        return robotOutcome(await postJson(`${c.url ?? FEISHU_URL}${encodeURIComponent(c.hook)}`, body), FEISHU_RATE_CODES);
      }),
  };
}
