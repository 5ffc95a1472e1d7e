import webpush from 'web-push';
import { fitCount, headline, noticeLines, render, utf8Bytes } from '../content.ts';
import type { Channel, Locale, Notice, Outgoing, SendOutcome } from '../types.ts';
import { networkFailure } from './http.ts';

/**
 * Web Push to the warden's installed PWA: VAPID (RFC 8292) and aes128gcm payload encryption
 * (RFC 8291) by the `web-push` library, to each of the user's subscriptions. The service worker
 * (dashboard/public/sw.js) shows the notification with the actions accept and open. A push
 * service answering 404 or 410 has dropped the subscription (it is removed); 429 and 5xx are
 * retried. The encrypted payload is at most 4,078 bytes (RFC 8291 over a 4,096-byte record).
 */
const MAX_PAYLOAD = 3000;

export interface PushPayload {
  title: string;
  body: string;
  tag: string;
  ticketId: string | null;
  url: string | null;
  count: number;
  locale: Locale;
}

export function pushPayload(notices: readonly Notice[], locale: Locale, timeZone?: string): PushPayload {
  const first = notices[0]!;
  const one = notices.length === 1;
  return {
    title: one ? headline(first, locale) : render(notices, locale, 'plain', timeZone).split('\n')[0]!,
    body: one ? noticeLines(first, locale, timeZone).slice(1).filter((l) => !l.startsWith('工单') && !l.startsWith('Ticket')).join('\n') : render(notices, locale, 'plain', timeZone).split('\n').slice(1).join('\n'),
    tag: one && first.ticketId ? `ticket-${first.ticketId}` : `gridhub-${first.atMs}`,
    ticketId: one ? first.ticketId : null,
    url: one ? first.link : null,
    count: notices.length,
    locale,
  };
}

export interface PushGone {
  /** Called with each subscription the push service says no longer exists. */
  onGone?: (endpoint: string) => void;
}

export function webpushChannel(c: { id: string; subject: string; publicKey: string; privateKey: string }, opts: PushGone & { timeZone?: string } = {}): Channel {
  return {
    id: c.id,
    type: 'webpush',
    limits: [{ limit: 60, windowMs: 60_000 }],
    maxBytes: MAX_PAYLOAD,
    fit: (notices, locale) => fitCount(notices, (b) => utf8Bytes(JSON.stringify(pushPayload(b, locale, opts.timeZone))), MAX_PAYLOAD),
    async send(out: Outgoing): Promise<SendOutcome> {
      if (out.address.type !== 'push') return { ok: false, retry: false, error: 'web push needs a subscription' };
      if (!out.address.subscriptions.length) return { ok: false, retry: false, error: 'no push subscription' };
      const payload = JSON.stringify(pushPayload(out.notices, out.locale, opts.timeZone));
      const results = await Promise.all(
        out.address.subscriptions.map(async (sub): Promise<SendOutcome> => {
          try {
            await webpush.sendNotification(sub, payload, {
              vapidDetails: { subject: c.subject, publicKey: c.publicKey, privateKey: c.privateKey },
              TTL: 3600,
              urgency: out.notices.some((n) => n.priority === 'P1') ? 'high' : 'normal',
              timeout: 10_000,
            });
            return { ok: true };
          } catch (err) {
            const status = (err as { statusCode?: number }).statusCode;
            if (status === undefined) return networkFailure(err);
            if (status === 404 || status === 410) {
              opts.onGone?.(sub.endpoint);
              return { ok: false, retry: false, error: `subscription gone (HTTP ${status})` };
            }
            return { ok: false, retry: status >= 500 || status === 429, rateLimited: status === 429, error: `push service HTTP ${status}` };
          }
        }),
      );
      return results.find((r) => r.ok) ?? results.find((r) => !r.ok && r.retry) ?? results[0]!;
    },
  };
}
