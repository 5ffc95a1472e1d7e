import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '@gridhub/testkit';
import { isHubError, type Reading } from '@gridhub/core';
import { createStore, type SqlHubStore } from '@gridhub/store';
import type { DeviceMessage } from '@gridhub/broker';
import { binFillPct, createEmbeddedSink, createIngest, type Ingest, type SpoolLogger } from '../src/index.ts';
import { ingestSite } from './fixtures/site.ts';

const quiet: SpoolLogger = { warn: () => {}, error: () => {} };
const TS = Date.UTC(2025, 6, 1, 8);
let seq = 0;

function msg(topic: string, payload: object | string | Buffer, clientId = 'client'): DeviceMessage {
  const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  return { topic, payload: bytes, qos: 1, clientId, rxMs: Date.now() };
}
/** A payload with a fresh envelope. */
function p(fields: object): object {
  seq++;
  return { ts: TS + seq * 1000, seq, ...fields };
}

const GOOD: [string, string, object, Record<string, unknown>][] = [
  ['smoke telemetry', 'v1/smoke/smoke-1/telemetry', { obscuration_pct: 0.5, temperature_c: 21, battery_pct: 88 }, { obscuration_pct: 0.5, battery_pct: 88 }],
  ['smoke alarm', 'v1/smoke/smoke-1/event', { event: 'alarm', obscuration_pct: 14 }, { event: 'alarm', obscuration_pct: 14 }],
  ['bin fill from distance', 'v1/bin/bin-1/telemetry', { distance_mm: 400, temperature_c: 25, tilted: false, battery_pct: 70 }, { fill_pct: 70, distance_mm: 400 }],
  ['bin fill given', 'v1/bin/bin-1/telemetry', { fill_pct: 33.5, temperature_c: 25, tilted: false, battery_pct: 70 }, { fill_pct: 33.5 }],
  ['bin without sensor offset', 'v1/bin/bin-2/telemetry', { distance_mm: 250, temperature_c: 25, tilted: true, battery_pct: 60 }, { fill_pct: 68.8, distance_mm: 250, tilted: true }],
  ['bin tilted event', 'v1/bin/bin-2/event', { event: 'tilted' }, { event: 'tilted' }],
  ['manhole telemetry', 'v1/manhole/mh-1/telemetry', { tilt_deg: 2, open: false, water_level_cm: 30, battery_pct: 95 }, { tilt_deg: 2, open: false }],
  ['manhole opened', 'v1/manhole/mh-1/event', { event: 'opened', tilt_deg: 80 }, { event: 'opened' }],
  ['ebike heartbeat', 'v1/ebike/eb-1/telemetry', { camera_ok: true, uptime_s: 3600 }, { camera_ok: true, uptime_s: 3600 }],
  ['ebike detected', 'v1/ebike/eb-1/event', { event: 'ebike_detected', confidence: 0.97, floor: 1, door_held: true }, { event: 'ebike_detected', door_held: true }],
  ['birth', 'v1/smoke/smoke-1/status', { state: 'online', fw: '1.2.3' }, { state: 'online', fw: '1.2.3' }],
];

const BAD: [string, string, object | string | Buffer, string][] = [
  ['wrong version', 'v2/smoke/smoke-1/telemetry', p({ obscuration_pct: 1, temperature_c: 20, battery_pct: 80 }), 'HUB_ERR_TOPIC'],
  ['command topic', 'v1/smoke/smoke-1/cmd', p({}), 'HUB_ERR_TOPIC'],
  ['unknown device', 'v1/smoke/smoke-404/telemetry', p({ obscuration_pct: 1, temperature_c: 20, battery_pct: 80 }), 'HUB_ERR_UNKNOWN_DEVICE'],
  ['kind mismatch', 'v1/bin/smoke-1/telemetry', p({ fill_pct: 3, temperature_c: 20, tilted: false, battery_pct: 80 }), 'HUB_ERR_KIND_MISMATCH'],
  ['too large', 'v1/smoke/smoke-1/telemetry', 'x'.repeat(9000), 'HUB_ERR_PAYLOAD_TOO_LARGE'],
  ['not UTF-8', 'v1/smoke/smoke-1/telemetry', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'HUB_ERR_PAYLOAD_ENCODING'],
  ['not JSON', 'v1/smoke/smoke-1/telemetry', '{"ts": 17', 'HUB_ERR_PAYLOAD_JSON'],
  ['smoke missing temperature', 'v1/smoke/smoke-1/telemetry', p({ obscuration_pct: 1, battery_pct: 80 }), 'HUB_ERR_PAYLOAD_SCHEMA'],
  ['smoke unknown event', 'v1/smoke/smoke-1/event', p({ event: 'explode' }), 'HUB_ERR_PAYLOAD_SCHEMA'],
  ['smoke extra field', 'v1/smoke/smoke-1/telemetry', p({ obscuration_pct: 1, temperature_c: 20, battery_pct: 80, colour: 'red' }), 'HUB_ERR_PAYLOAD_SCHEMA'],
  ['bin neither fill nor distance', 'v1/bin/bin-1/telemetry', p({ temperature_c: 20, tilted: false, battery_pct: 80 }), 'HUB_ERR_PAYLOAD_SCHEMA'],
  ['bin fill over 100', 'v1/bin/bin-1/telemetry', p({ fill_pct: 130, temperature_c: 20, tilted: false, battery_pct: 80 }), 'HUB_ERR_PAYLOAD_SCHEMA'],
  ['manhole without ts', 'v1/manhole/mh-1/telemetry', { seq: 1, tilt_deg: 2, open: false, water_level_cm: 30, battery_pct: 95 }, 'HUB_ERR_PAYLOAD_SCHEMA'],
  ['manhole tilt as text', 'v1/manhole/mh-1/telemetry', p({ tilt_deg: '2', open: false, water_level_cm: 30, battery_pct: 95 }), 'HUB_ERR_PAYLOAD_SCHEMA'],
  ['ebike confidence over 1', 'v1/ebike/eb-1/event', p({ event: 'ebike_detected', confidence: 2, floor: 1, door_held: true }), 'HUB_ERR_PAYLOAD_SCHEMA'],
  ['status unknown state', 'v1/ebike/eb-1/status', { state: 'asleep' }, 'HUB_ERR_PAYLOAD_SCHEMA'],
  ['JSON array', 'v1/ebike/eb-1/telemetry', '[1,2,3]', 'HUB_ERR_PAYLOAD_SCHEMA'],
];

describe('binFillPct', () => {
  it.each([
    [400, 1000, 100, 70],
    [100, 1000, 100, 100],
    [1100, 1000, 100, 0],
    [50, 1000, 100, 100],
    [2000, 1000, 0, 0],
    [333, 1000, null, 66.7],
    [400, null, 100, null],
  ])('distance %s, depth %s, offset %s -> %s %%', (d, depth, offset, fill) => {
    expect(binFillPct(d, depth, offset)).toBe(fill);
  });
});

describe('ingest over the real SQLite store and the embedded sink', () => {
  const dirs: string[] = [];
  let store: SqlHubStore;
  let ingest: Ingest;
  const confirmed: Reading[] = [];

  beforeAll(async () => {
    const d = tempDir('ingest');
    dirs.push(d);
    store = await createStore({ dataDir: join(d, 'db') });
    await store.importSite(ingestSite());
    ingest = createIngest({
      store,
      sink: createEmbeddedSink(store, { retentionMs: 10 * 365 * 86_400_000 }),
      spool: { dir: join(d, 'spool'), budgetBytes: 64 * 1024 * 1024 },
      refusalFlushIntervalMs: 20,
      stateFlushIntervalMs: 20,
      logger: quiet,
    });
    ingest.onReadings((r) => confirmed.push(...r));
    await ingest.start();
  });
  afterAll(async () => {
    await ingest?.stop();
    await store?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('refuses each bad message with its code, records it, and never throws', async () => {
    const before = ingest.stats().refused.total;
    for (const [, topic, payload] of BAD) await expect(ingest.handle(msg(topic, payload, 'dev-client'))).resolves.toBeUndefined();
    const stats = ingest.stats();
    expect(stats.refused.total - before).toBe(BAD.length);
    const expected: Record<string, number> = {};
    for (const [, , , code] of BAD) expected[code] = (expected[code] ?? 0) + 1;
    expect(stats.refused.byCode).toEqual(expected);
    expect(stats.refused.byDevice['smoke-404']).toBe(1);
    await waitFor(async () => (await store.countRefusals({})) === BAD.length, 5000, 'refusals recorded');
    for (const [name, topic, , code] of BAD) {
      const rows = await store.listRefusals({ code, limit: 100 });
      expect(rows.some((r) => r.topic === topic), name).toBe(true);
    }
    const [tooBig] = await store.listRefusals({ code: 'HUB_ERR_PAYLOAD_TOO_LARGE', limit: 1 });
    expect(tooBig).toMatchObject({ deviceId: 'smoke-1', clientId: 'dev-client', bytes: 9000, head: 'x'.repeat(64) });
    const [binary] = await store.listRefusals({ code: 'HUB_ERR_PAYLOAD_ENCODING', limit: 1 });
    expect(binary!.head).toBe('{\\xff\\xfe}');
    expect(ingest.stats().accepted).toBe(0);
  });

  it('accepts each good message as an enriched reading, confirmed by the sink', async () => {
    const sent = GOOD.map(([, topic, fields]) => ({ topic, payload: p(fields) }));
    for (const s of sent) await ingest.handle(msg(s.topic, s.payload));
    expect(ingest.stats().accepted).toBe(GOOD.length);
    await waitFor(() => confirmed.length === GOOD.length, 5000, 'readings confirmed');
    GOOD.forEach(([name, topic, , fields], i) => {
      const r = confirmed[i]!;
      const [, kind, deviceId, message] = topic.split('/');
      expect(r, name).toMatchObject({ deviceId, kind, message, seq: (sent[i]!.payload as { seq: number }).seq, fields });
      expect(r.place, name).toMatchObject({ street: 'st-1', community: 'cm-1', grid: 'g-1', estate: 'e-1' });
    });
    expect(confirmed[0]!.place).toMatchObject({ building: 'b-1', unit: 'b-1-u-1' });
    expect(await store.countReadings({ deviceId: 'bin-1' })).toBe(2);
  });

  it('coalesces device state: latest values, battery, last event, connected by birth and will', async () => {
    await waitFor(async () => (await store.deviceState('smoke-1'))?.connected === true, 5000, 'smoke-1 state');
    const smoke = (await store.deviceState('smoke-1'))!;
    expect(smoke).toMatchObject({ batteryPct: 88, lastEvent: 'alarm', connected: true });
    expect(smoke.latest).toMatchObject({ obscuration_pct: 0.5, temperature_c: 21 });
    const bin = (await store.deviceState('bin-1'))!;
    expect(bin.latest.fill_pct).toBe(33.5);
    await ingest.handle(msg('v1/smoke/smoke-1/status', { state: 'offline', reason: 'will' }));
    await waitFor(async () => (await store.deviceState('smoke-1'))?.connected === false, 5000, 'smoke-1 offline');
  });

  it('records connections the broker reports, for known devices only', async () => {
    const at = Date.UTC(2025, 6, 2);
    ingest.noteConnection('mh-1', true, at);
    ingest.noteConnection('mh-404', true, at);
    await waitFor(async () => (await store.deviceState('mh-1'))?.connected === true, 5000, 'mh-1 connected');
    expect((await store.deviceState('mh-1'))!.lastSeenMs).toBeGreaterThanOrEqual(at);
    expect(await store.deviceState('mh-404')).toBeUndefined();
    ingest.noteConnection('mh-1', false, at + 1000);
    await waitFor(async () => (await store.deviceState('mh-1'))?.connected === false, 5000, 'mh-1 disconnected');
  });

  it('knows a device added to the site only after reloadDevices()', async () => {
    const topic = 'v1/smoke/smoke-new/telemetry';
    const payload = () => p({ obscuration_pct: 0, temperature_c: 20, battery_pct: 99 });
    await store.importSite(ingestSite([{ id: 'smoke-new', kind: 'smoke', secret: 'secret-smoke-new', building: 'b-1' }]));
    const accepted = ingest.stats().accepted;
    await ingest.handle(msg(topic, payload()));
    expect(ingest.stats().accepted).toBe(accepted);
    expect(await ingest.reloadDevices()).toBe(6);
    await ingest.handle(msg(topic, payload()));
    expect(ingest.stats().accepted).toBe(accepted + 1);
  });

  it('survives a storm of random garbage without throwing', async () => {
    const topics = ['v1/smoke/smoke-1/telemetry', 'v1/bin/bin-1/event', 'v1/ebike/eb-1/status', 'v1//x/telemetry', '#', '', 'v1/smoke/smoke-1/telemetry/extra'];
    let x = 12345;
    const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const before = ingest.stats().refused.total;
    for (let i = 0; i < 300; i++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)));
      await expect(ingest.handle(msg(topics[i % topics.length]!, bytes))).resolves.toBeUndefined();
    }
    expect(ingest.stats().refused.total - before).toBe(300);
  });
});

/** A fresh SQLite store with the test site in a temp dir, closed and removed after `fn`. */
async function withStore(fn: (store: SqlHubStore, dir: string) => Promise<void>): Promise<void> {
  const d = tempDir('ingest-store');
  const store = await createStore({ dataDir: join(d, 'db') });
  try {
    await store.importSite(ingestSite());
    await fn(store, d);
  } finally {
    await store.close();
    rmSync(d, { recursive: true, force: true });
  }
}

describe('ingest while the store fails for a while', () => {
  it('records every refusal and state once the store answers again', async () => {
    await withStore(async (store, d) => {
      let refusalFailures = 3;
      let stateFailures = 3;
      const flaky = {
        allDeviceInfo: () => store.allDeviceInfo(),
        recordRefusals: (r: Parameters<typeof store.recordRefusals>[0]) =>
          refusalFailures-- > 0 ? Promise.reject(new Error('database is locked')) : store.recordRefusals(r),
        upsertDeviceStates: (s: Parameters<typeof store.upsertDeviceStates>[0]) =>
          stateFailures-- > 0 ? Promise.reject(new Error('database is locked')) : store.upsertDeviceStates(s),
      };
      const errors: string[] = [];
      const ingest = createIngest({
        store: flaky,
        sink: createEmbeddedSink(store, { retentionMs: 10 * 365 * 86_400_000, pruneIntervalMs: 0 }),
        spool: { dir: join(d, 'spool'), budgetBytes: 16 * 1024 * 1024 },
        refusalFlushIntervalMs: 10,
        stateFlushIntervalMs: 10,
        logger: { warn: () => {}, error: (_o, m) => errors.push(m) },
      });
      await ingest.start();
      for (let i = 0; i < 20; i++) await ingest.handle(msg('v1/smoke/smoke-404/telemetry', '{}'));
      await ingest.handle(msg('v1/smoke/smoke-1/telemetry', p({ obscuration_pct: 0, temperature_c: 20, battery_pct: 42 })));
      await waitFor(async () => (await store.countRefusals({})) === 20 && (await store.deviceState('smoke-1'))?.batteryPct === 42, 5000, 'the flushes');
      expect(ingest.stats().flushFailures).toBe(6);
      expect(errors).toHaveLength(2);
      await ingest.stop();
      expect(await store.countRefusals({})).toBe(20);
    });
  });
});

describe('ingest with a full spool', () => {
  it('rejects a good message with HUB_ERR_SPOOL_FULL and still resolves a refused one', async () => {
    await withStore(async (store, d) => {
      const never = { name: 'embedded' as const, write: () => Promise.reject(new Error('sink down')), query: () => Promise.reject(new Error('no')), readings: () => Promise.reject(new Error('no')), ping: async () => {}, close: async () => {} };
      const ingest = createIngest({ store, sink: never, spool: { dir: join(d, 'spool'), budgetBytes: 4000 }, logger: quiet });
      await ingest.start();
      let full: unknown = null;
      for (let i = 0; i < 100 && !full; i++) {
        await ingest.handle(msg('v1/smoke/smoke-1/telemetry', p({ obscuration_pct: 0, temperature_c: 20, battery_pct: 99 }))).catch((e) => (full = e));
      }
      expect(isHubError(full) && full.code).toBe('HUB_ERR_SPOOL_FULL');
      await expect(ingest.handle(msg('v1/smoke/nobody/telemetry', '{}'))).resolves.toBeUndefined();
      expect(ingest.stats().spool!.rejectedFull).toBe(1);
      expect(ingest.stats().spool!.filling).toBe(true);
      await ingest.stop();
    });
  });
});
