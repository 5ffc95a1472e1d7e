import { createHmac } from 'node:crypto';
import { cutBytes, headline, render } from '../content.ts';
import type { Channel, Outgoing } from '../types.ts';
import { attempt, postJson, robotOutcome } from './http.ts';
import { robotFit } from './robot.ts';

/**
 * DingTalk custom robot with signing (加签): POST
 * {url}?access_token=…&timestamp={ms}&sign=URL-encode(Base64(HMAC-SHA256(key = secret, "{timestamp}\n{secret}")))
 * with `{"msgtype":"markdown","markdown":{"title","text"}}`. The timestamp must be within an hour
 * of DingTalk's clock. 20 messages per minute per robot (past it the robot is blocked for 10
 * minutes: errcode 130101, retried later). errcode 310000 is a bad signature or keyword.
 */
export const DINGTALK_URL = 'https://oapi.dingtalk.com/robot/send';
export const DINGTALK_RATE_CODES = [130101, 410100];
const MAX_BYTES = 20_000;

export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

export function dingtalkChannel(c: { id: string; accessToken: string; secret: string; url?: string }, timeZone?: string, clock: () => number = Date.now): Channel {
  const wrap = (text: string) => ({ msgtype: 'markdown', markdown: { title: 'GridHub', text } });
  return {
    id: c.id,
    type: 'dingtalk',
    limits: [{ limit: 20, windowMs: 60_000 }],
    maxBytes: MAX_BYTES,
    fit: (notices, locale) => robotFit(notices, locale, 'markdown', MAX_BYTES, wrap, timeZone),
    send: (out: Outgoing) =>
      attempt(async () => {
        const timestamp = clock();
        const sign = encodeURIComponent(dingtalkSign(c.secret, timestamp));
        const url = `${c.url ?? DINGTALK_URL}?access_token=${encodeURIComponent(c.accessToken)}&timestamp=${timestamp}&sign=${sign}`;
        const title = out.notices.length === 1 ? headline(out.notices[0]!, out.locale) : `GridHub ×${out.notices.length}`;
        const body = { msgtype: 'markdown', markdown: { title, text: cutBytes(render(out.notices, out.locale, 'markdown', timeZone), MAX_BYTES - 500) } };
        return robotOutcome(await postJson(url, body), DINGTALK_RATE_CODES);
      }),
  };
}
