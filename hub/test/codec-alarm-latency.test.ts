import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uplinkTopic, type RulesEvent } from '@gridhub/core';
import { demoDeviceSecret } from '@gridhub/store';
import { api, connect, testHub } from './support.ts';

type TestHub = Awaited<ReturnType<typeof testHub>>;

/**
 * Hostile uploaded codecs keep the sandbox busy (endless loops and runaway allocations, each
 * stopped at its limit) while smoke alarms arrive over MQTT: the time from publish to the alarm's
 * alert on the hub's event stream is what it is without them. Serial: it holds a latency.
 */
const HOSTILE = [
  'function decodeUplink() { for (;;) {} }',
  'function decodeUplink() { var a = []; for (;;) a.push(new Array(10000).fill(1)); }',
  'function decodeUplink() { var s = "x"; for (;;) s = s + s + Math.random(); }',
];

describe('alarm latency while hostile codecs run', () => {
  let hub: TestHub;
  let smoke: { id: string }[];
  const events: RulesEvent[] = [];
  let seq = 5000;
  beforeAll(async () => {
    hub = await testHub();
    hub.events.on('event', (e) => events.push(e));
    smoke = (await api(hub, 'GET', '/api/devices?kind=smoke&limit=1000')).body.items;
    for (let i = 0; i < 12; i++) {
      const r = await api(hub, 'PUT', `/api/device-models/hostile-${i}`, { body: { kind: 'smoke', codec: { format: 'ttn-js', source: HOSTILE[i % HOSTILE.length] } } });
      expect(r.status).toBe(200);
    }
  });
  afterAll(async () => hub?.dispose());

  /** Publish → the alert of that device on hub.events, ms, for each device in turn. */
  async function alarmLatencies(devices: { id: string }[], gapMs: number): Promise<number[]> {
    const out: number[] = [];
    for (const d of devices) {
      await new Promise((r) => setTimeout(r, gapMs));
      const client = await connect(hub.mqttUrl, { clientId: d.id, username: d.id, password: demoDeviceSecret(d.id) });
      const seen = new Promise<number>((resolve) => {
        const on = (e: RulesEvent) => {
          if (e.type === 'alert' && e.deviceId === d.id) {
            hub.events.off('event', on);
            resolve(performance.now());
          }
        };
        hub.events.on('event', on);
      });
      const t0 = performance.now();
      await client.publishAsync(uplinkTopic('smoke', d.id, 'event'), JSON.stringify({ ts: Date.now(), seq: ++seq, event: 'alarm', obscuration_pct: 12 }), { qos: 1 });
      out.push((await seen) - t0);
      await client.endAsync();
    }
    return out;
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  it('smoke alarms reach the event stream as fast with the sandbox stopping hostile codecs as without', async () => {
    const baseline = await alarmLatencies(smoke.slice(0, 6), 300);
    // hostile frames, back to back, from 4 lanes: 12 codecs × 3 stops each before suspension
    let running = true;
    let stops = 0;
    const lanes = Array.from({ length: 4 }, async (_, lane) => {
      for (let i = lane; running; i += 4) {
        const r = await api(hub, 'POST', `/api/device-models/hostile-${i % 12}/decode`, { body: { fPort: 1, hex: '00' } });
        if (r.body.errors?.[0]?.code === 'HUB_ERR_CODEC_TIMEOUT' || r.body.errors?.[0]?.code === 'HUB_ERR_CODEC_MEMORY') stops++;
      }
    });
    const t0 = Date.now();
    while (stops < 2 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
    const stopsBefore = stops;
    const during = await alarmLatencies(smoke.slice(6, 12), 300);
    const stopsDuring = stops - stopsBefore;
    running = false;
    await Promise.all(lanes);
    console.log(`alarm publish -> alert, ms: baseline ${baseline.map(Math.round).join(' ')}; while hostile codecs ran (${stopsDuring} frames stopped at their limits meanwhile) ${during.map(Math.round).join(' ')}`);
    expect(stopsDuring).toBeGreaterThanOrEqual(5); // the sandbox was busy the whole time
    // unchanged: the same order of magnitude, well inside one codec time limit of each other
    expect(median(during)).toBeLessThan(median(baseline) + 100);
  });
});
