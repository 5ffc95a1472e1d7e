import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverAvailable, startInfluxd, stopInfluxdAndClean, type Influxd } from '@gridhub/testkit';
import type { Reading } from '@gridhub/core';
import { buildRuleSet, dryRun } from '@gridhub/rules';
import { parseRuleSetText } from '../src/rules-engine.ts';
import { login, testHub, TEST_ADMIN_PASSWORD } from './support.ts';

const DAY_MS = 86_400_000;
const RULES = 'version: 1\nrules:\n  - { id: bin.full, device_kind: bin, kind: threshold, title: Bin full, priority: P2, field: fill_pct, above: 95, clear: 85 }\n';

/** Issue 14 item 6: with InfluxDB (1.x, InfluxQL) as the telemetry sink, the rule dry run replays the readings stored there. */
describe.skipIf(!serverAvailable('influxd'))('rule dry run on InfluxDB telemetry (real influxd 1.x)', () => {
  let influx: Influxd;
  let hub: Awaited<ReturnType<typeof testHub>>;
  beforeAll(async () => {
    influx = await startInfluxd('gridhub');
    hub = await testHub({ influx: { url: influx.url, api: 'v1', bucket: influx.db, org: null, token: null } });
  });
  afterAll(async () => {
    await hub?.dispose();
    if (influx) await stopInfluxdAndClean(influx);
  });

  it('reads the 7 days of readings back from InfluxDB and reports the firings that replaying them through the engine gives', async () => {
    expect(hub.sink.name).toBe('influxdb');
    const [bin, other] = (await hub.store.listDevices({ kind: 'bin', limit: 2, offset: 0 })).items;
    const smoke = (await hub.store.listDevices({ kind: 'smoke', limit: 1, offset: 0 })).items[0]!;
    const t0 = Date.now() - 2 * DAY_MS;
    const bins = (d: typeof bin, fills: number[], seq0: number): Reading[] =>
      fills.map((f, i) => ({ deviceId: d!.id, kind: 'bin', message: 'telemetry', tsMs: t0 + i * 60_000, seq: seq0 + i, rxMs: t0 + i * 60_000 + 5, place: d!.place, fields: { fill_pct: f } }));
    // bin 1: 96 fires, 80 clears, 97 fires, 90 holds, 84 clears, 99 fires = 3; bin 2: 97 fires, 99 holds = 1
    const inRange = [...bins(bin, [50, 96, 80, 97, 90, 84, 99], 10), ...bins(other, [97, 99], 100)];
    const event: Reading = { deviceId: smoke.id, kind: 'smoke', message: 'event', tsMs: t0 + 30_000, seq: 7, rxMs: t0 + 30_010, place: smoke.place, fields: { event: 'alarm', obscuration_pct: 14 } };
    const old: Reading = { ...bins(bin, [99], 1)[0]!, tsMs: Date.now() - 10 * DAY_MS, rxMs: Date.now() - 10 * DAY_MS };
    await hub.sink.write([old, ...inRange, event]);
    // nothing in the embedded table: the dry run can only have read InfluxDB
    expect(await hub.store.countReadings({})).toBe(0);

    const back = await hub.sink.readings({ fromMs: Date.now() - 7 * DAY_MS, toMs: Date.now(), limit: 1000 });
    const expected = [...inRange, event].sort((a, b) => a.tsMs - b.tsMs || a.deviceId.localeCompare(b.deviceId) || a.seq - b.seq);
    expect(back).toEqual(expected.map((r) => ({ ...r, place: { ...r.place, building: r.place.building ?? null, unit: r.place.unit ?? null } })));

    const res = await hub.app.inject({ method: 'POST', url: '/api/admin/rules/dry-run', payload: RULES, headers: { authorization: `Bearer ${await login(hub, 'admin', TEST_ADMIN_PASSWORD)}`, 'content-type': 'text/yaml' } });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    const replayed = dryRun(buildRuleSet(parseRuleSetText(RULES)), expected);
    expect(body.byRule).toEqual(replayed.byRule);
    expect(body.byRule.find((r: { ruleId: string }) => r.ruleId === 'bin.full')).toEqual({ ruleId: 'bin.full', firings: 4, devices: expect.arrayContaining([{ deviceId: bin!.id, firings: 3 }, { deviceId: other!.id, firings: 1 }]) });
  });
});

