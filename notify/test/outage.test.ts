import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@gridhub/testkit';
import { webhookStandIn, wecomStandIn, type StandIn } from './standins.ts';
import { notifyYaml } from './fixtures.ts';
import { dispatched, P1_TICKET } from './events.ts';
import { testBed, type Bed } from './support.ts';

/**
 * A provider outage: the WeCom and webhook stand-ins (real HTTP servers on loopback, checking each
 * request as the provider documents it) answer HTTP 500 for 60 s, then recover. Every page is
 * retried with backoff and delivered exactly once afterwards. Serial: it holds a 60-second outage.
 */
const OUTAGE_MS = 60_000;
const N = 12;
const mentions = (s: StandIn, i: number) => s.accepted.filter((r) => new RegExp(`tickets/T-${i}(?![0-9])`).test(r.raw)).length;

describe('provider answers 500 for 60 s, then recovers', () => {
  let wecom: StandIn;
  let hook: Awaited<ReturnType<typeof webhookStandIn>>;
  let bed: Bed;
  beforeAll(async () => {
    wecom = await wecomStandIn('wk-secret-1');
    hook = await webhookStandIn('city-secret');
    bed = await testBed('notify-outage');
  });
  afterAll(async () => {
    await bed?.close();
    await wecom?.close();
    await hook?.close();
  });

  it('each message delivered exactly once after the recovery; nothing dead', { timeout: 150_000 }, async () => {
    const n = await bed.notifier(notifyYaml({ wecom: wecom.url, webhook: hook.url }), { backoff: { baseMs: 1000, maxMs: 15_000 } });
    const start = Date.now();
    wecom.outageUntilMs = start + OUTAGE_MS;
    hook.outageUntilMs = start + OUTAGE_MS;
    for (let i = 1; i <= N; i++) {
      await bed.log.append([dispatched(P1_TICKET(i))]);
      await new Promise((r) => setTimeout(r, 2000));
    }
    await waitFor(() => Date.now() > start + OUTAGE_MS, OUTAGE_MS + 5000, 'the outage ends');
    expect(wecom.accepted).toHaveLength(0);
    expect(wecom.refused.length).toBeGreaterThan(N / 2); // it really was retried during the outage
    await waitFor(async () => (await n.store.countByState()).every((r) => r.state === 'delivered'), 30_000, 'every page delivered after the recovery');
    for (let i = 1; i <= N; i++) {
      expect(mentions(wecom, i)).toBe(1);
      expect(mentions(hook, i)).toBe(1);
    }
    // The webhook receiver dedupes by delivery id: nothing arrived twice under one id either.
    expect(hook.accepted.length).toBe(hook.deliveries.size);
    expect(n.stats.byType.get('wecom')!.retries).toBeGreaterThan(0);
    expect((await n.store.list({ state: 'dead' })).length).toBe(0);
    expect(Date.now() - (start + OUTAGE_MS)).toBeLessThan(30_000);
  });
});
