import { createHmac } from 'node:crypto';
import { fitCount, utf8Bytes } from '../content.ts';
import type { Channel, Notice, Outgoing } from '../types.ts';
import { attempt, httpFailure } from './http.ts';

/**
 * A generic signed webhook for the city's own platform. POST JSON
 *   {"type": "gridhub.notices", "id": <idempotency key>, "sentMs", "notices": [Notice, ...]}
 * with headers
 *   X-GridHub-Timestamp: <ms>
 *   X-GridHub-Signature: sha256=<hex HMAC-SHA256(secret, "{timestamp}.{raw body}")>
 *   X-GridHub-Delivery: <idempotency key>
 * A receiver recomputes the signature over the raw body, refuses a timestamp more than 5 minutes
 * from its clock (replay) and drops a delivery id it has seen (a retry after a lost answer).
 * Any 2xx is success; 5xx, 408 and 429 are retried.
 */
export const WEBHOOK_TOLERANCE_MS = 5 * 60_000;
const MAX_BYTES = 256 * 1024;

export function webhookSignature(secret: string, timestampMs: number, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampMs}.${rawBody}`, 'utf8').digest('hex')}`;
}

const bodyOf = (key: string, sentMs: number, notices: readonly Notice[]) => JSON.stringify({ type: 'gridhub.notices', id: key, sentMs, notices });

export function webhookChannel(c: { id: string; url: string; secret: string; perMinute?: number }, clock: () => number = Date.now): Channel {
  return {
    id: c.id,
    type: 'webhook',
    limits: [{ limit: c.perMinute ?? 600, windowMs: 60_000 }],
    maxBytes: MAX_BYTES,
    fit: (notices) => fitCount(notices, (batch) => utf8Bytes(bodyOf('k'.repeat(80), 0, batch)), MAX_BYTES),
    send: (out: Outgoing) =>
      attempt(async () => {
        const ts = clock();
        const raw = bodyOf(out.key, ts, out.notices);
        const res = await fetch(c.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-gridhub-timestamp': String(ts), 'x-gridhub-signature': webhookSignature(c.secret, ts, raw), 'x-gridhub-delivery': out.key },
          body: raw,
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer();
        return res.ok ? { ok: true } : httpFailure({ status: res.status, body: '', json: null });
      }),
  };
}
