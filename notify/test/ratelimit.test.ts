import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@gridhub/testkit';
import { wecomStandIn, type StandIn } from './standins.ts';
import { notifyYaml } from './fixtures.ts';
import { dispatched, P1_TICKET } from './events.ts';
import { testBed, type Bed } from './support.ts';

/**
 * 200 alarms within a minute to one WeCom robot, limited to 20 messages per minute: the stand-in
 * (a real HTTP server on loopback) enforces the documented limit and answers errcode 45009 past
 * it. Every alarm arrives in a message, none is rejected for rate, and no 60 s window holds more
 * than 20 messages. Serial: it offers a load at a set rate for a minute.
 */
const ALARMS = 200;
const OFFER_MS = 60_000;

describe('200 alarms in a minute to a robot limited to 20 per minute', () => {
  let wecom: StandIn;
  let bed: Bed;
  beforeAll(async () => {
    wecom = await wecomStandIn('wk-secret-1');
    bed = await testBed('notify-rate');
  });
  afterAll(async () => {
    await bed?.close();
    await wecom?.close();
  });

  it('every alarm in a message, none rejected for rate, at most 20 messages in any minute', { timeout: 180_000 }, async () => {
    const n = await bed.notifier(notifyYaml({ wecom: wecom.url }));
    const start = Date.now();
    for (let i = 0; i < ALARMS; i++) {
      const due = start + (i * OFFER_MS) / ALARMS;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      await bed.log.append([dispatched(P1_TICKET(i, { place: { street: 'st1', community: 'cm1', grid: 'ga', estate: 'hy', building: `b${i}`, unit: 'u1' } }))]);
    }
    const offeredMs = Date.now() - start;
    expect(offeredMs).toBeLessThan(OFFER_MS + 5000);
    await waitFor(async () => (await n.store.countByState()).every((r) => r.state === 'delivered'), 30_000, 'every alarm delivered');
    const lastAt = Math.max(...wecom.accepted.map((r) => r.atMs));

    expect(wecom.refused).toEqual([]); // none rejected for rate (errcode 45009) nor for size
    for (let i = 0; i < ALARMS; i++) expect(wecom.accepted.filter((r) => new RegExp(`tickets/T-${i}(?![0-9])`).test(r.raw)).length).toBe(1);
    const times = wecom.accepted.map((r) => r.atMs).sort((a, b) => a - b);
    for (const t of times) expect(times.filter((x) => x >= t && x < t + 60_000).length).toBeLessThanOrEqual(20);
    expect(times.filter((t) => t < times[0]! + 60_000).length).toBeLessThanOrEqual(20);
    // The last alarm waits a digest's spacing, not a minute.
    expect(lastAt - (start + offeredMs)).toBeLessThan(10_000);
    expect(n.stats.byType.get('wecom')!.digestMerges).toBeGreaterThan(150);
    console.log(`rate test: ${ALARMS} alarms offered over ${offeredMs} ms -> ${times.length} WeCom messages; last ${lastAt - start - offeredMs} ms after the last alarm`);
  });
});
