import { cutBytes, render } from '../content.ts';
import type { Channel, Outgoing } from '../types.ts';
import { attempt, postJson, robotOutcome } from './http.ts';
import { robotFit } from './robot.ts';

/**
 * WeCom (企业微信) group robot: POST {url}?key=KEY with `{"msgtype":"markdown","markdown":{"content"}}`
 * (or `text`). Documented limits: 20 messages per minute per robot; text content at most 2,048
 * bytes, markdown 4,096. errcode 0 is success; 45009 (and 130101, as INTEGRATIONS.md lists it)
 * mean the robot's rate limit: retried later, never dropped.
 */
export const WECOM_URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send';
export const WECOM_RATE_CODES = [45009, 130101];

export function wecomChannel(c: { id: string; key: string; url?: string; msgtype?: 'markdown' | 'text' }, timeZone?: string): Channel {
  const msgtype = c.msgtype ?? 'markdown';
  const maxBytes = msgtype === 'markdown' ? 4096 : 2048;
  const markup = msgtype === 'markdown' ? 'markdown' : 'plain';
  return {
    id: c.id,
    type: 'wecom',
    limits: [{ limit: 20, windowMs: 60_000 }],
    maxBytes,
    fit: (notices, locale) => robotFit(notices, locale, markup, maxBytes, undefined, timeZone),
    send: (out: Outgoing) =>
      attempt(async () => {
        const content = cutBytes(render(out.notices, out.locale, markup, timeZone), maxBytes);
        const body = msgtype === 'markdown' ? { msgtype, markdown: { content } } : { msgtype, text: { content } };
        const url = `${c.url ?? WECOM_URL}?key=${encodeURIComponent(c.key)}`;
        return robotOutcome(await postJson(url, body), WECOM_RATE_CODES);
      }),
  };
}
