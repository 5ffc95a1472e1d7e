import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { SiteFileSchema, decodePayload, isHubError } from '@gridhub/core';
import { DAY_MS, HOUR_MS, SCENARIOS, generateSite, hourOfDay, siteDevices, POWER_CUT_MS, type Timeline, type TimelineStep } from '../src/index.ts';

const START = Date.UTC(2026, 2, 2, 2, 0, 0); // 10:00 in China
const { site, secrets } = generateSite({ estates: 3, devices: 90, seed: 42 });
const devices = siteDevices(site, secrets);
const byId = new Map(devices.map((d) => [d.id, d]));
const build = (name: string): Timeline => SCENARIOS[name]!.build({ devices, seed: 1, startMs: START });
const pubs = (tl: Timeline) => tl.steps.filter((s): s is Extract<TimelineStep, { action: 'publish' }> => s.action === 'publish');

describe('generated site', () => {
  it('is a valid site file with the requested devices, one secret each', () => {
    expect(Value.Check(SiteFileSchema, site), JSON.stringify([...Value.Errors(SiteFileSchema, site)].slice(0, 3))).toBe(true);
    expect(devices).toHaveLength(90);
    expect(new Set(devices.map((d) => d.id)).size).toBe(90);
    expect(devices.every((d) => typeof d.secret === 'string' && d.secret.length >= 16)).toBe(true);
    expect(new Set(devices.map((d) => d.estateId)).size).toBe(3);
    expect(generateSite({ estates: 3, devices: 90, seed: 42 })).toEqual({ site, secrets });
  });
});

describe('scenarios build their timelines deterministically, in the contract', () => {
  for (const name of Object.keys(SCENARIOS)) {
    it(`${name}: same inputs, same timeline; every publish decodes`, () => {
      const a = build(name);
      expect(build(name)).toEqual(a);
      expect(a.steps.length).toBeGreaterThan(0);
      for (let i = 1; i < a.steps.length; i++) expect(a.steps[i]!.atMs).toBeGreaterThanOrEqual(a.steps[i - 1]!.atMs);
      pubs(a).forEach((s, seq) => {
        const kind = byId.get(s.deviceId)!.kind;
        expect(() => decodePayload(kind, s.message, new TextEncoder().encode(JSON.stringify({ ...s.body, ts: s.atMs, seq }))), `${s.deviceId} ${JSON.stringify(s.body)}`).not.toThrow();
      });
    });
  }

  it('needs the devices it plays with', () => {
    const onlyBins = devices.filter((d) => d.kind === 'bin');
    expect(() => SCENARIOS['building-fire']!.build({ devices: onlyBins, seed: 1, startMs: START })).toThrow(/not found/);
  });
});

describe('scenario timelines', () => {
  it('building-fire: detectors of one stairwell alarm a minute apart, lowest floor first', () => {
    const alarms = pubs(build('building-fire')).filter((s) => s.body.event === 'alarm');
    expect(alarms.length).toBeGreaterThanOrEqual(3);
    const ds = alarms.map((a) => byId.get(a.deviceId)!);
    expect(new Set(ds.map((d) => `${d.buildingId}/${d.unitId}`)).size).toBe(1);
    for (let i = 1; i < alarms.length; i++) {
      expect(alarms[i]!.atMs - alarms[i - 1]!.atMs).toBe(60_000);
      expect(ds[i]!.floor!).toBeGreaterThan(ds[i - 1]!.floor!);
    }
  });

  it('lunchtime-bin-overflow: bins of one estate go from about half to full between 11:00 and 13:30', () => {
    const tl = build('lunchtime-bin-overflow');
    const t = pubs(tl).filter((s) => s.message === 'telemetry');
    expect(new Set(t.map((s) => byId.get(s.deviceId)!.estateId)).size).toBe(1);
    for (const s of t) {
      expect(hourOfDay(s.atMs)).toBeGreaterThanOrEqual(11);
      expect(hourOfDay(s.atMs)).toBeLessThan(13.6);
    }
    for (const id of tl.deviceIds) {
      const fills = t.filter((s) => s.deviceId === id).map((s) => s.body.fill_pct as number);
      expect(fills[0]).toBeLessThan(65);
      expect(fills.at(-1)).toBeGreaterThanOrEqual(95);
    }
  });

  it('manhole-displaced-by-truck: spikes settle within 2 s, then the cover stays tilted and open', () => {
    const p = pubs(build('manhole-displaced-by-truck'));
    const tiltedAt = p.find((s) => s.body.event === 'tilted')!.atMs;
    const before = p.filter((s) => s.atMs < tiltedAt);
    for (let i = 0; i < before.length; i += 2) {
      expect(before[i]!.body.tilt_deg as number).toBeGreaterThanOrEqual(10); // past the tilt rule's level: only its `for` keeps it quiet
      expect(before[i + 1]!.atMs - before[i]!.atMs).toBeLessThan(2000);
      expect(before[i + 1]!.body.tilt_deg as number).toBeLessThan(2);
    }
    const after = p.filter((s) => s.atMs > tiltedAt && s.message === 'telemetry');
    expect(after.length).toBeGreaterThan(2);
    for (const s of after) expect(s.body).toMatchObject({ open: true });
    expect(p.some((s) => s.body.event === 'opened')).toBe(true);
    expect(p.some((s) => s.body.event === 'closed' || s.body.event === 'tilt_cleared')).toBe(false);
  });

  it('ebike-repeat-offender: one camera, six confident detections at commuting hours over three days', () => {
    const tl = build('ebike-repeat-offender');
    const seen = pubs(tl).filter((s) => s.body.event === 'ebike_detected');
    expect(tl.deviceIds).toHaveLength(1);
    expect(seen).toHaveLength(6);
    expect(seen.at(-1)!.atMs - seen[0]!.atMs).toBeGreaterThan(2 * DAY_MS);
    for (const s of seen) {
      expect(s.body.door_held).toBe(true);
      expect(s.body.confidence as number).toBeGreaterThan(0.9);
      const h = hourOfDay(s.atMs);
      expect((h > 7 && h < 8.2) || (h > 18 && h < 18.6)).toBe(true);
    }
    expect(pubs(tl).filter((s) => s.body.event === 'ebike_left')).toHaveLength(6);
  });

  it('device-goes-silent: hourly reports, then an abrupt drop and nothing after', () => {
    const tl = build('device-goes-silent');
    expect(tl.steps.map((s) => s.action)).toEqual(['publish', 'publish', 'publish', 'drop']);
    expect(tl.steps[2]!.atMs - tl.steps[0]!.atMs).toBe(2 * HOUR_MS);
  });

  it('flapping-sensor: tilted and cleared alternate, ten times, 15-45 s apart', () => {
    const p = pubs(build('flapping-sensor'));
    expect(p).toHaveLength(20);
    p.forEach((s, i) => expect(s.body.event).toBe(i % 2 === 0 ? 'tilted' : 'tilt_cleared'));
    for (let i = 1; i < p.length; i++) {
      expect(p[i]!.atMs - p[i - 1]!.atMs).toBeGreaterThanOrEqual(15_000);
      expect(p[i]!.atMs - p[i - 1]!.atMs).toBeLessThanOrEqual(45_000);
    }
  });

  it('malformed-firmware: every payload is refused by the contract with the reason the scenario expects', () => {
    const raw = build('malformed-firmware').steps.filter((s): s is Extract<TimelineStep, { action: 'raw' }> => s.action === 'raw');
    expect(raw.length).toBeGreaterThanOrEqual(15);
    expect(new Set(raw.map((r) => r.expect))).toEqual(new Set(['HUB_ERR_PAYLOAD_JSON', 'HUB_ERR_PAYLOAD_ENCODING', 'HUB_ERR_PAYLOAD_TOO_LARGE', 'HUB_ERR_PAYLOAD_SCHEMA']));
    for (const r of raw) {
      const kind = byId.get(r.deviceId)!.kind;
      let code: string | null = null;
      try {
        decodePayload(kind, r.message, r.payload);
      } catch (err) {
        code = isHubError(err) ? err.code : 'not a HubError';
      }
      expect(code, r.what).toBe(r.expect);
    }
  });

  it('reconnect-storm: every device drops at once and all come back at the same instant', () => {
    const tl = build('reconnect-storm');
    const drops = tl.steps.filter((s) => s.action === 'drop');
    const connects = tl.steps.filter((s) => s.action === 'connect');
    expect(drops).toHaveLength(devices.length);
    expect(connects).toHaveLength(devices.length);
    expect(new Set(drops.map((s) => s.atMs))).toEqual(new Set([START]));
    expect(new Set(connects.map((s) => s.atMs))).toEqual(new Set([START + POWER_CUT_MS]));
    expect(pubs(tl)).toHaveLength(devices.length);
  });
});
