import { DEFAULT_LIVENESS, LIVENESS, livenessOf, type SiteFile } from '@gridhub/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { clone, siteDevices, smallSite } from '../fixtures.ts';
import { type ContractContext } from './harness.ts';

/** Devices and wardens, device state (merged patches), network identities and uplink keys. */
export function devicesContract(ctx: ContractContext): void {
  const { fresh } = ctx;
  let demo!: SiteFile;
  beforeAll(() => {
    demo = ctx.demo;
  });

describe('devices and wardens', () => {
  it('lists devices by filter with a total', async () => {
    const store = await fresh();
    await store.importSite(demo);
    const all = siteDevices(demo);
    const bins = all.filter((d) => d.kind === 'bin');
    const page = await store.listDevices({ kind: 'bin', limit: 5, offset: 5 });
    expect(page.total).toBe(bins.length);
    expect(page.items.map((d) => d.id)).toEqual(bins.map((d) => d.id).sort().slice(5, 10));
    const grid2 = demo.communities[0]!.grids[1]!;
    expect((await store.listDevices({ gridId: grid2.id, limit: 1000, offset: 0 })).total).toBe(grid2.estates.flatMap((e) => e.devices).length);
    expect((await store.listDevices({ buildingId: 'hy-b01', kind: 'ebike', limit: 10, offset: 0 })).items.every((d) => d.buildingId === 'hy-b01')).toBe(true);

    const t = 1_700_000_000_000;
    await store.upsertDeviceStates([
      { deviceId: 'bin-hy-01', connected: true, batteryPct: 12, lastSeenMs: t },
      { deviceId: 'bin-hy-02', connected: false, batteryPct: 80, lastSeenMs: t - 100_000 },
    ]);
    expect((await store.listDevices({ connected: true, limit: 10, offset: 0 })).items.map((d) => d.id)).toEqual(['bin-hy-01']);
    expect((await store.listDevices({ batteryBelowPct: 20, limit: 10, offset: 0 })).items.map((d) => d.id)).toEqual(['bin-hy-01']);
    const silent = await store.listDevices({ silentSinceMs: t - 1, kind: 'bin', limit: 1000, offset: 0 });
    expect(silent.total).toBe(bins.length - 1);
    expect(silent.items.some((d) => d.id === 'bin-hy-01')).toBe(false);
    expect((await store.listDevices({ connected: false, kind: 'bin', limit: 1000, offset: 0 })).total).toBe(bins.length - 1);

    // Liveness filter: the SQL must agree with core's livenessOf for every device, at boundaries too.
    const H = 3600_000;
    const now = t + 100 * H;
    const smoke = all.filter((d) => d.kind === 'smoke').slice(0, 6).map((d) => d.id);
    const cams = all.filter((d) => d.kind === 'ebike').slice(0, 4).map((d) => d.id);
    await store.upsertDeviceStates([
      { deviceId: smoke[0]!, lastSeenMs: now - 1 * H },
      { deviceId: smoke[1]!, lastSeenMs: now - 25 * H }, // exactly late
      { deviceId: smoke[2]!, lastSeenMs: now - 30 * H },
      { deviceId: smoke[3]!, lastSeenMs: now - 49 * H }, // exactly offline
      { deviceId: smoke[4]!, lastSeenMs: now - 1 * H, connected: false }, // battery device: a drop is not offline
      { deviceId: cams[0]!, lastSeenMs: now - 1_000, connected: true },
      { deviceId: cams[1]!, lastSeenMs: now - 60_000, connected: false }, // a camera's will a minute ago: offline (core's willGraceMs)
      { deviceId: cams[3]!, lastSeenMs: now - 1_000, connected: false }, // a will a second ago: a reconnect may follow, not offline yet
      { deviceId: cams[2]!, lastSeenMs: now - 1_000 }, // connection never reported: by time
    ]);
    const states = await store.deviceStates(all.map((d) => d.id));
    for (const level of LIVENESS) {
      const got = await store.listDevices({ liveness: { level, nowMs: now, policy: DEFAULT_LIVENESS }, limit: 1000, offset: 0 });
      const want = all
        .filter((d) => livenessOf(DEFAULT_LIVENESS[d.kind], states.get(d.id)?.lastSeenMs ?? null, states.get(d.id)?.connected ?? null, now) === level)
        .map((d) => d.id)
        .sort();
      expect(got.items.map((d) => d.id), level).toEqual(want);
      expect(got.total, level).toBe(want.length);
    }
    expect((await store.listDevices({ liveness: { level: 'offline', nowMs: now, policy: DEFAULT_LIVENESS }, kind: 'ebike', limit: 10, offset: 0 })).items.map((d) => d.id)).toEqual([cams[1]]);

    const wardens = await store.listWardens('g-lx-02');
    expect(wardens.length).toBe(grid2.wardens.length);
    expect(wardens.every((w) => w.gridId === 'g-lx-02')).toBe(true);
  });
});

describe('device state', () => {
  it('merges patches field by field and latest key by key, across calls and within a batch', async () => {
    const store = await fresh();
    await store.importSite(smallSite());
    await store.upsertDeviceStates([{ deviceId: 'bin-t1', lastSeenMs: 1000, connected: true, latest: { distance_mm: 500, tilted: false }, latestTsMs: 1000 }]);
    await store.upsertDeviceStates([
      { deviceId: 'bin-t1', batteryPct: 88, latest: { distance_mm: 420 } },
      { deviceId: 'bin-t1', latest: { temperature_c: 21.5 }, lastEvent: 'tilted', lastEventMs: 1500 },
      { deviceId: 'not-a-device', batteryPct: 1 },
      { deviceId: 'mh-t1', connected: false },
    ]);
    expect(await store.deviceState('bin-t1')).toEqual({
      deviceId: 'bin-t1',
      lastSeenMs: 1000,
      connected: true,
      batteryPct: 88,
      latest: { distance_mm: 420, tilted: false, temperature_c: 21.5 },
      latestTsMs: 1000,
      lastEvent: 'tilted',
      lastEventMs: 1500,
      refusedCount: 0,
      radio: null,
    });
    expect((await store.deviceState('mh-t1'))?.connected).toBe(false);
    expect(await store.deviceState('not-a-device')).toBeUndefined();
    const many = await store.deviceStates(['bin-t1', 'mh-t1', 'smk-t1', 'not-a-device', 'bin-t1']);
    expect([...many.keys()].sort()).toEqual(['bin-t1', 'mh-t1']);
    expect(many.get('bin-t1')).toEqual(await store.deviceState('bin-t1'));
    expect((await store.deviceStates([])).size).toBe(0);
    await store.upsertDeviceStates([{ deviceId: 'bin-t1', connected: false, lastSeenMs: 2000 }]);
    expect(await store.deviceState('bin-t1')).toMatchObject({ connected: false, lastSeenMs: 2000, batteryPct: 88 });
  });
});

describe('network identities and uplinks (issue 13)', () => {
  it('stores model, DevEUI (lowercase), IMEI, platform id, application and params; a repeated identity is refused', async () => {
    const store = await fresh();
    const site = smallSite();
    const devices = site.communities[0]!.grids[0]!.estates[0]!.devices;
    Object.assign(devices[2]!, { model: 'dingtek-df703', dev_eui: 'A84041000181C061', network_app: 'app-1', params: { f_port: 3 } });
    Object.assign(devices[3]!, { model: 'dingtek-dc410', imei: '861234567890123', platform_device_id: 'ctw-0001' });
    await store.importSite(site);
    expect(await store.deviceInfo('bin-t1')).toMatchObject({ model: 'dingtek-df703', devEui: 'a84041000181c061', networkApp: 'app-1', imei: null, params: { f_port: 3 } });
    expect(await store.deviceInfo('mh-t1')).toMatchObject({ model: 'dingtek-dc410', devEui: null, imei: '861234567890123', platformDeviceId: 'ctw-0001', params: {} });
    expect(await store.deviceInfo('smk-t1')).toMatchObject({ model: null, devEui: null, imei: null, platformDeviceId: null });
    const dup = clone(site);
    Object.assign(dup.communities[0]!.grids[0]!.estates[0]!.devices[0]!, { dev_eui: 'a84041000181c061' });
    await expect(store.importSite(dup)).rejects.toMatchObject({ code: 'HUB_ERR_SITE_INVALID', details: [expect.objectContaining({ reason: expect.stringContaining('dev_eui a84041000181c061 is already used') })] });
  });

  it('keeps radio health, lists unclaimed identities with counts until claimed, remembers uplink keys', async () => {
    const store = await fresh();
    const site = smallSite();
    await store.importSite(site);
    const radio = { rssiDbm: -97, snrDb: 7.5, gatewayId: 'gw-1', gateways: 2, fCnt: 41, dataRate: 'SF9', network: 'chirpstack', atMs: 5000 };
    await store.upsertDeviceStates([{ deviceId: 'bin-t1', lastSeenMs: 5000, radio }]);
    await store.upsertDeviceStates([{ deviceId: 'bin-t1', batteryPct: 80 }]);
    expect(await store.deviceState('bin-t1')).toMatchObject({ radio, batteryPct: 80 });

    const sighting = { network: 'chirpstack', identityType: 'devEui' as const, identity: 'a84041000181c099', firstSeenMs: 100, lastSeenMs: 100, count: 1, origin: 'application/a/device/a84041000181c099/event/up', detail: { deviceName: 'bin-x' } };
    await store.recordUnclaimed([sighting, { ...sighting, firstSeenMs: 200, lastSeenMs: 200 }]);
    await store.recordUnclaimed([{ ...sighting, firstSeenMs: 50, lastSeenMs: 300, count: 2 }, { ...sighting, network: 'ctwing', identityType: 'imei', identity: '861234567890999', firstSeenMs: 250, lastSeenMs: 250 }]);
    expect(await store.listUnclaimed({ limit: 10 })).toEqual([
      { ...sighting, firstSeenMs: 50, lastSeenMs: 300, count: 4 },
      expect.objectContaining({ network: 'ctwing', identity: '861234567890999', count: 1 }),
    ]);
    // claimed: the site now has a device with that DevEUI
    Object.assign(site.communities[0]!.grids[0]!.estates[0]!.devices[2]!, { dev_eui: 'A84041000181C099', model: 'dingtek-df703' });
    await store.importSite(site);
    expect((await store.listUnclaimed({ limit: 10 })).map((u) => u.identity)).toEqual(['861234567890999']);

    await store.recordUplinkKeys([{ key: 'bin-t1|cs:up:a', seenMs: 1000 }, { key: 'bin-t1|cs:up:b', seenMs: 2000 }, { key: 'bin-t1|cs:up:a', seenMs: 3000 }]);
    await store.recordUplinkKeys([{ key: 'bin-t1|cs:up:b', seenMs: 4000 }]);
    expect(await store.recentUplinkKeys(0, 10)).toEqual([{ key: 'bin-t1|cs:up:b', seenMs: 2000 }, { key: 'bin-t1|cs:up:a', seenMs: 1000 }]);
    expect(await store.pruneUplinkKeys(1500)).toBe(1);
    expect((await store.recentUplinkKeys(0, 10)).map((k) => k.key)).toEqual(['bin-t1|cs:up:b']);
  });
});
}
