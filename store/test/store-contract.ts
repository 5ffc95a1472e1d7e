/**
 * ONE suite every HubStore backend must pass (aedes-persistence's abstract.js is the model):
 * run by sqlite.test.ts (temp dir) and postgres.test.ts (a real PostgreSQL from testkit).
 */
import { DEFAULT_LIVENESS, HubError, type HubEvent, LIVENESS, livenessOf, verifySecret, type Refusal, type SiteFile } from '@gridhub/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SITE_PATH, demoDeviceSecret, exportSite, loadSiteFile, MIGRATIONS, readCursor, writeCursor, type SqlHubStore } from '../src/index.ts';
import { clone, reading, siteDevices, siteWardens, smallSite } from './fixtures.ts';

export interface StoreHarness {
  /** A fresh, migrated, empty store. */
  open(opts?: { refusalsKeep?: number }): Promise<SqlHubStore>;
}

const TABLES = ['streets', 'communities', 'grids', 'estates', 'buildings', 'units', 'devices', 'wardens', 'device_state', 'refusals', 'readings', 'reading_values'] as const;

async function dumpAll(store: SqlHubStore): Promise<string> {
  const parts: string[] = [];
  for (const t of TABLES) parts.push(JSON.stringify(await store.db.selectFrom(t).selectAll().execute()));
  return parts.join('\n');
}

async function rowCounts(store: SqlHubStore): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    const r = await store.db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    out[t] = Number(r.n);
  }
  return out;
}

function refusal(deviceId: string | null, rxMs: number, code = 'HUB_ERR_PAYLOAD_JSON'): Refusal {
  return { topic: `v1/bin/${deviceId ?? 'x'}/telemetry`, deviceId, clientId: deviceId, code, reason: 'bad', head: '{oops', bytes: 5, rxMs };
}

async function expectSiteInvalid(p: Promise<unknown>): Promise<{ path: string; reason: string }[]> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(HubError);
  expect((err as HubError).code).toBe('HUB_ERR_SITE_INVALID');
  return (err as HubError).details as { path: string; reason: string }[];
}

export function storeContract(harness: StoreHarness): void {
  let demo: SiteFile;
  const open: SqlHubStore[] = [];
  const fresh = async () => {
    const s = await harness.open();
    open.push(s);
    return s;
  };
  beforeAll(async () => {
    demo = await loadSiteFile(DEMO_SITE_PATH);
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
  });

  describe('migrations', () => {
    it('migrating again is a no-op and every migration is recorded once', async () => {
      const store = await fresh();
      await store.ping();
      await store.migrate();
      await store.migrate();
      const applied = await store.db.selectFrom('kysely_migration' as any).select('name' as any).execute();
      expect(applied.map((r: any) => r.name).sort()).toEqual(Object.keys(MIGRATIONS).sort());
      expect(await store.isEmpty()).toBe(true);
      expect(Object.values(await rowCounts(store)).every((n) => n === 0)).toBe(true);
    });
  });

  describe('site import', () => {
    it('imports the demo site with the right counts, tree and places', async () => {
      const store = await fresh();
      const devices = siteDevices(demo);
      const result = await store.importSite(demo);
      expect(result).toEqual({ devices: devices.length, wardens: siteWardens(demo).length });
      expect(await store.isEmpty()).toBe(false);
      expect(await store.streetId()).toBe(demo.street.id);
      const counts = await rowCounts(store);
      expect(counts.devices).toBe(devices.length);
      expect(counts.buildings).toBe(demo.communities[0]!.grids.flatMap((g) => g.estates.flatMap((e) => e.buildings)).length);

      const tree = await store.siteTree();
      expect(tree.street).toEqual({ id: demo.street.id, name: demo.street.name, controlRoomPhone: demo.street.control_room?.phone ?? null });
      const estates = tree.communities.flatMap((c) => c.grids.flatMap((g) => g.estates));
      expect(estates.map((e) => e.id).sort()).toEqual(demo.communities.flatMap((c) => c.grids.flatMap((g) => g.estates.map((e) => e.id))).sort());
      for (const e of estates) {
        const src = demo.communities[0]!.grids.flatMap((g) => g.estates).find((x) => x.id === e.id)!;
        for (const kind of ['smoke', 'bin', 'manhole', 'ebike'] as const) {
          expect(e.deviceCounts[kind] ?? 0).toBe(src.devices.filter((d) => d.kind === kind).length);
        }
        expect(e.buildings.flatMap((b) => b.units.flatMap((u) => u.elevators)).length).toBeGreaterThan(0);
      }
      expect(tree.communities[0]!.grids.every((g) => g.wardens.some((w) => w.role === 'grid_leader'))).toBe(true);

      const info = await store.deviceInfo('eb-hy-b01-u1');
      expect(info).toMatchObject({ kind: 'ebike', buildingId: 'hy-b01', unitId: 'hy-b01-u1', elevatorId: 'hy-b01-u1-e1' });
      expect(info!.place).toEqual({ street: 'st-lanxi', community: 'c-lanxi', grid: 'g-lx-01', estate: 'e-hy', building: 'hy-b01', unit: 'hy-b01-u1' });
      expect((await store.allDeviceInfo()).length).toBe(devices.length);
      expect(await store.deviceInfo('nope')).toBeUndefined();
    });

    it('stores no plain secret and the demo hashes verify demoDeviceSecret(id)', async () => {
      const store = await fresh();
      await store.importSite(demo);
      const small = smallSite();
      // A second site replaces the first; its plain secrets are hashed before they are stored.
      await store.importSite(small);
      const dump = await dumpAll(store);
      for (const d of siteDevices(small)) expect(dump).not.toContain(d.secret!);
      for (const d of siteDevices(small)) {
        const stored = await store.deviceSecretHash(d.id);
        expect(stored?.kind).toBe(d.kind);
        expect(await verifySecret(d.secret!, stored!.secretHash)).toBe(true);
        expect(await verifySecret(`${d.secret!}x`, stored!.secretHash)).toBe(false);
      }
      const fresh2 = await fresh();
      await fresh2.importSite(demo);
      expect(await dumpAll(fresh2)).not.toMatch(/demo-(smk|bin|mh|eb)-/);
      for (const id of ['smk-hy-b01-u1-f03', 'bin-fl-02', 'mh-jg-01', 'eb-jg-b03-u2']) {
        const stored = await fresh2.deviceSecretHash(id);
        expect(stored, id).toBeDefined();
        expect(await verifySecret(demoDeviceSecret(id), stored!.secretHash)).toBe(true);
      }
    });

    it('refuses an invalid site with every bad entry and imports nothing', async () => {
      const store = await fresh();
      const bad = clone(demo);
      const estate = bad.communities[0]!.grids[0]!.estates[0]!;
      const di = (id: string) => estate.devices.findIndex((d) => d.id === id);
      const at = (id: string) => `communities[0].grids[0].estates[0].devices[${di(id)}]`;
      estate.devices[di('smk-hy-b01-u1-f01')]!.building = 'hy-b99';
      estate.devices[di('smk-hy-b01-u1-f02')]!.unit = 'hy-b02-u1';
      delete estate.devices[di('eb-hy-b01-u2')]!.elevator;
      delete estate.devices[di('bin-hy-01')]!.bin_depth_mm;
      estate.devices[di('bin-hy-02')]!.position = { x: 5000, y: 1 };
      delete estate.devices[di('mh-hy-01')]!.position;
      estate.devices[di('mh-hy-02')]!.secret = 'also-a-plain-secret';
      const dupAt = at('mh-hy-03');
      estate.devices[di('mh-hy-03')]!.id = 'bin-hy-04';
      const expected = [
        { path: `${at('smk-hy-b01-u1-f01')}.building`, reason: /hy-b99 is not in estate e-hy/ },
        { path: `${at('smk-hy-b01-u1-f02')}.unit`, reason: /belongs to building hy-b02/ },
        { path: `${at('eb-hy-b01-u2')}.elevator`, reason: /needs an elevator/ },
        { path: `${at('bin-hy-01')}.bin_depth_mm`, reason: /bin_depth_mm/ },
        { path: `${at('bin-hy-02')}.position`, reason: /outside the estate plan/ },
        { path: `${at('mh-hy-01')}.position`, reason: /needs a position/ },
        { path: `${at('mh-hy-02')}.secret`, reason: /exactly one of/ },
        { path: `${dupAt}.id`, reason: new RegExp(`already used at ${at('bin-hy-04').replace(/[[\]]/g, '\\$&')}\\.id`) },
      ];
      const problems = await expectSiteInvalid(store.importSite(bad));
      for (const e of expected) {
        expect(problems.find((p) => p.path === e.path && e.reason.test(p.reason)), `${e.path} ${e.reason}`).toBeDefined();
      }
      expect(problems.length).toBe(expected.length);
      expect(await store.isEmpty()).toBe(true);
      expect(Object.values(await rowCounts(store)).every((n) => n === 0)).toBe(true);

      // A store holding a site is left unchanged by a refused import.
      await store.importSite(demo);
      const before = await dumpAll(store);
      const renamed = clone(bad);
      renamed.street.name = 'changed';
      await expectSiteInvalid(store.importSite(renamed));
      expect(await dumpAll(store)).toBe(before);
    });

    it('rolls back the whole import when the database refuses part of it', async () => {
      const store = await fresh();
      await store.importSite(demo);
      // Another package's row pins grid 2: deleting that grid fails inside the transaction.
      await store.db.schema.createTable('pin').addColumn('grid_id', 'text', (c) => c.references('grids.id')).execute();
      await (store.db as any).insertInto('pin').values({ grid_id: 'g-lx-02' }).execute();
      const before = await dumpAll(store);
      const next = clone(demo);
      next.street.name = '改名街道';
      next.communities[0]!.grids[0]!.estates[0]!.devices.push({ id: 'mh-new-1', kind: 'manhole', secret: 'a-new-plain-secret', position: { x: 1, y: 1 } });
      next.communities[0]!.grids.pop();
      const err = await store.importSite(next).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(HubError); // the database refused it, not validation
      expect(await dumpAll(store)).toBe(before);
      expect(await store.deviceInfo('mh-new-1')).toBeUndefined();
    });

    it('re-import upserts, keeps device state, and drops what the new site no longer has', async () => {
      const store = await fresh();
      await store.importSite(demo);
      await store.upsertDeviceStates([{ deviceId: 'bin-hy-01', batteryPct: 77 }, { deviceId: 'mh-hy-01', batteryPct: 50 }]);
      const next = clone(demo);
      const estate = next.communities[0]!.grids[0]!.estates[0]!;
      estate.name = '和悦园（新）';
      estate.devices = estate.devices.filter((d) => d.id !== 'mh-hy-01');
      next.communities[0]!.grids[0]!.wardens.pop();
      const result = await store.importSite(next);
      expect(result.devices).toBe(siteDevices(demo).length - 1);
      expect((await store.deviceState('bin-hy-01'))?.batteryPct).toBe(77);
      expect(await store.deviceState('mh-hy-01')).toBeUndefined();
      expect(await store.deviceInfo('mh-hy-01')).toBeUndefined();
      expect((await store.listWardens()).length).toBe(siteWardens(demo).length - 1);
      const tree = await store.siteTree();
      expect(tree.communities[0]!.grids[0]!.estates.find((e) => e.id === 'e-hy')?.name).toBe('和悦园（新）');
    });
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

  describe('retired site nodes (撤销, migration 0190)', () => {
    it('a retired device and warden keep their rows; live lists, counts and credentials leave them out; export keeps the state', async () => {
      const store = await fresh();
      const site = smallSite();
      const grid = site.communities[0]!.grids[0]!;
      grid.estates[0]!.devices[0]!.retired = { at: '2026-12-01T08:00:00.000Z', by: 'admin' };
      grid.wardens.push({ id: 'w-2', name: '李退', phone: '138 0000 9002', role: 'part_time', retired: { at: '2026-12-01T08:00:00.000Z', by: 'admin' } });
      await store.importSite(site);
      const listed = await store.listDevices({ limit: 100, offset: 0 });
      expect(listed.items.map((d) => d.id)).not.toContain('smk-t1');
      expect(listed.total).toBe(3);
      expect((await store.allDeviceInfo()).map((d) => d.id)).not.toContain('smk-t1');
      expect(await store.deviceSecretHash('smk-t1')).toBeUndefined();
      expect(await store.deviceSecretHash('eb-t1')).toBeDefined();
      expect((await store.deviceInfo('smk-t1'))?.place.building).toBe('b1'); // still described: its tickets stay readable
      const tree = await store.siteTree();
      expect(tree.communities[0]!.grids[0]!.estates[0]!.deviceCounts.smoke ?? 0).toBe(0);
      expect(tree.communities[0]!.grids[0]!.wardens.map((w) => w.id)).toEqual(['w-1']);
      expect((await store.listWardens('g-test')).map((w) => w.id)).toEqual(['w-1']);
      const back = (await exportSite((store as SqlHubStore).db))!;
      expect(back.communities[0]!.grids[0]!.estates[0]!.devices.find((d) => d.id === 'smk-t1')!.retired).toEqual({ at: '2026-12-01T08:00:00.000Z', by: 'admin' });
      expect(back.communities[0]!.grids[0]!.wardens.find((w) => w.id === 'w-2')!.retired?.by).toBe('admin');
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

  describe('refusals', () => {
    it('keeps the latest N rows per device, with the counts by reason whole', async () => {
      const store = await harness.open({ refusalsKeep: 3 });
      open.push(store);
      await store.importSite(smallSite());
      for (let i = 0; i < 10; i++) await store.recordRefusals([refusal('bin-t1', 100 + i, i % 2 ? 'HUB_ERR_PAYLOAD_SCHEMA' : 'HUB_ERR_PAYLOAD_JSON'), refusal('mh-t1', 100 + i)]);
      await store.recordRefusals(Array.from({ length: 5 }, (_, i) => refusal(null, 300 + i, 'HUB_ERR_TOPIC')));
      expect((await store.listRefusals({ deviceId: 'bin-t1', limit: 100 })).map((r) => r.rxMs)).toEqual([109, 108, 107]);
      expect((await store.listRefusals({ deviceId: 'mh-t1', limit: 100 })).map((r) => r.rxMs)).toEqual([109, 108, 107]);
      expect((await store.listRefusals({ code: 'HUB_ERR_TOPIC', limit: 100 })).length).toBe(3);
      expect(await store.countRefusals({ deviceId: 'bin-t1' })).toBe(10);
      expect(await store.countRefusals({ deviceId: 'bin-t1', code: 'HUB_ERR_PAYLOAD_SCHEMA' })).toBe(5);
      expect(await store.countRefusals({ code: 'HUB_ERR_PAYLOAD_JSON' })).toBe(15);
      expect(await store.countRefusals({})).toBe(25);
      expect((await store.deviceState('bin-t1'))?.refusedCount).toBe(10);
    });

    it('records refusals, counts them per known device, filters and pages', async () => {
      const store = await fresh();
      await store.importSite(smallSite());
      await store.upsertDeviceStates([{ deviceId: 'bin-t1', batteryPct: 50 }]);
      await store.recordRefusals([refusal('bin-t1', 10), refusal('bin-t1', 20, 'HUB_ERR_PAYLOAD_SCHEMA'), refusal('ghost', 30, 'HUB_ERR_UNKNOWN_DEVICE'), refusal(null, 40, 'HUB_ERR_TOPIC'), refusal('mh-t1', 50)]);
      await store.recordRefusals([refusal('bin-t1', 60)]);
      expect(await store.countRefusals({})).toBe(6);
      expect(await store.countRefusals({ deviceId: 'bin-t1' })).toBe(3);
      expect(await store.countRefusals({ code: 'HUB_ERR_PAYLOAD_JSON' })).toBe(3);
      expect((await store.deviceState('bin-t1'))).toMatchObject({ refusedCount: 3, batteryPct: 50 });
      expect((await store.deviceState('mh-t1'))?.refusedCount).toBe(1);
      expect(await store.deviceState('ghost')).toBeUndefined();
      const ghost = await store.listRefusals({ deviceId: 'ghost', limit: 10 });
      expect(ghost).toEqual([refusal('ghost', 30, 'HUB_ERR_UNKNOWN_DEVICE')]);
      const recent = await store.listRefusals({ limit: 2 });
      expect(recent.map((r) => r.rxMs)).toEqual([60, 50]);
      expect((await store.listRefusals({ limit: 10, beforeMs: 50 })).map((r) => r.rxMs)).toEqual([40, 30, 20, 10]);
    });
  });

  describe('embedded telemetry', () => {
    it('stores a reading written twice once', async () => {
      const store = await fresh();
      const batch = Array.from({ length: 50 }, (_, i) => reading('bin-a', 1_000_000 + i * 1000, i, { distance_mm: 400 + i, tilted: false, status: 'ok' }));
      await store.writeReadings(batch);
      await store.writeReadings(batch);
      await store.writeReadings([...batch.slice(40), reading('bin-a', 2_000_000, 50, { distance_mm: 1 })]);
      expect(await store.countReadings({})).toBe(51);
      expect(await store.countReadings({ deviceId: 'bin-a', message: 'telemetry' })).toBe(51);
      expect(await store.countReadings({ deviceId: 'other' })).toBe(0);
      const values = await store.db.selectFrom('reading_values').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(values.n)).toBe(50 * 2 + 1);
      // Same ts, different seq: two readings.
      await store.writeReadings([reading('bin-a', 2_000_000, 51, { distance_mm: 2 })]);
      expect(await store.countReadings({ deviceId: 'bin-a' })).toBe(52);
    });

    it('downsamples one field to at most maxPoints buckets with correct means', async () => {
      const store = await fresh();
      const from = 1_700_000_000_000;
      const values = Array.from({ length: 1000 }, (_, i) => ((i * 37) % 101) + i / 7);
      const batch = values.map((v, i) => reading('mh-a', from + i * 60_000, i, { tilt_deg: v, water_level_mm: 3 }));
      batch.push(reading('mh-b', from, 0, { tilt_deg: 1e6 }));
      await store.writeReadings(batch);
      const to = from + 999 * 60_000;
      for (const maxPoints of [1, 7, 100, 5000]) {
        const res = await store.queryReadings({ deviceId: 'mh-a', field: 'tilt_deg', fromMs: from, toMs: to, maxPoints });
        expect(res.points.length).toBeLessThanOrEqual(maxPoints);
        expect(res.points.length).toBe(Math.min(maxPoints, 1000 * 60_000 > 0 ? Math.ceil((to - from + 1) / res.intervalMs) : 0));
        for (const p of res.points) {
          const inBucket = values.filter((_, i) => {
            const t = from + i * 60_000;
            return t >= p.tMs && t < p.tMs + res.intervalMs;
          });
          if (inBucket.length === 0) expect(p.value).toBeNull();
          else expect(p.value).toBeCloseTo(inBucket.reduce((a, b) => a + b, 0) / inBucket.length, 6);
        }
      }
      // A sub-range with gaps: empty buckets are null; other devices and fields do not leak in.
      const part = await store.queryReadings({ deviceId: 'mh-a', field: 'tilt_deg', fromMs: from - 600_000, toMs: from + 599_999, maxPoints: 20 });
      expect(part.intervalMs).toBe(60_000);
      expect(part.points.slice(0, 10).every((p) => p.value === null)).toBe(true);
      expect(part.points[10]).toEqual({ tMs: from, value: values[0] });
      expect((await store.queryReadings({ deviceId: 'mh-a', field: 'nope', fromMs: from, toMs: to, maxPoints: 3 })).points.every((p) => p.value === null)).toBe(true);
    });

    it('prunes readings older than a cutoff', async () => {
      const store = await fresh();
      const batch = Array.from({ length: 100 }, (_, i) => reading('bin-p', 10_000 + i * 1000, i, { distance_mm: i }));
      await store.writeReadings(batch);
      expect(await store.pruneReadings(40_000)).toBe(30);
      expect(await store.countReadings({})).toBe(70);
      const res = await store.queryReadings({ deviceId: 'bin-p', field: 'distance_mm', fromMs: 0, toMs: 200_000, maxPoints: 1 });
      expect(res.points[0]!.value).toBeCloseTo((30 + 99) / 2, 9);
      expect(await store.pruneReadings(40_000)).toBe(0);
      const left = await sql<{ n: number }>`select count(*) as n from reading_values where ts_ms < 40000`.execute(store.db);
      expect(Number(left.rows[0]!.n)).toBe(0);
    });

    it('ages readings by arrival, not by the device clock: one stamped 2001 that arrived now is kept', async () => {
      const store = await fresh();
      const now = Date.parse('2026-03-03T10:00:00Z');
      const old = { ...reading('bin-q', Date.parse('2001-01-01T00:00:00Z'), 1, { distance_mm: 1 }), rxMs: now };
      const stale = { ...reading('bin-q', now - 40 * 86_400_000, 2, { distance_mm: 2 }), rxMs: now - 40 * 86_400_000 };
      await store.writeReadings([old, stale]);
      expect(await store.pruneReadings(now - 30 * 86_400_000)).toBe(1);
      expect(await store.countReadings({ deviceId: 'bin-q' })).toBe(1);
      const values = await sql<{ seq: number }>`select seq from reading_values where device_id = 'bin-q'`.execute(store.db);
      expect(values.rows.map((r) => Number(r.seq))).toEqual([1]);
    });
  });

  describe('event log (outbox)', () => {
    const alertEvent = (deviceId: string, atMs: number): HubEvent => ({
      type: 'alert', ruleId: 'smoke.alarm', subjectKey: deviceId, deviceId, priority: 'P1', silenced: null,
      transition: { from: 'inactive', to: 'firing', atMs, reason: 'breach', value: null },
    });

    it('appends in the writer\'s transaction: a rollback leaves no event and tells nobody; a commit is read back in order by cursor', async () => {
      const store = await fresh();
      const log = store.eventLog;
      let told = 0;
      const off = log.onAppend(() => told++);
      expect([await log.firstId(), await log.lastId()]).toEqual([0, 0]);
      await expect(
        log.transaction(async (_tx, record) => {
          record(alertEvent('d0', 1));
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      expect(await log.readAfter(0, 10)).toEqual([]);
      expect(told).toBe(0);
      await log.transaction(async (_tx, record) => {
        record(alertEvent('d1', 1));
        record(alertEvent('d2', 2));
      }, () => 5000);
      expect(told).toBe(1);
      const all = await log.readAfter(0, 10);
      expect(all.map((e) => [(e.event as { deviceId: string }).deviceId, e.atMs])).toEqual([['d1', 5000], ['d2', 5000]]);
      expect(all[1]!.id).toBeGreaterThan(all[0]!.id);
      expect(await log.readAfter(all[0]!.id, 10)).toEqual([all[1]]);
      expect(await log.readAfter(all[0]!.id - 1, 1)).toEqual([all[0]]);
      expect([await log.firstId(), await log.lastId()]).toEqual([all[0]!.id, all[1]!.id]);
      off();
    });

    it('ids commit in order under concurrent writers (a cursor reader misses none); retention drops old events but never the newest', async () => {
      const store = await fresh();
      const log = store.eventLog;
      // Each writer takes its id, then dawdles before committing: were ids not committed in
      // order, the reader below would move past an id that commits later, and miss it.
      const seen: number[] = [];
      let done = false;
      const reader = (async () => {
        let pos = 0;
        while (!done || pos < (await log.lastId())) {
          for (const e of await log.readAfter(pos, 100)) {
            seen.push(e.id);
            pos = e.id;
          }
          await new Promise((r) => setTimeout(r, 1));
        }
      })();
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.db.transaction().execute(async (tx) => {
            await log.append(tx, [alertEvent(`c${i}`, i)], 1000 + i);
            await new Promise((r) => setTimeout(r, (i * 7) % 20));
          }),
        ),
      );
      done = true;
      await reader;
      const all = await log.readAfter(0, 100);
      expect(all).toHaveLength(20);
      expect(seen).toEqual(all.map((e) => e.id));
      const last = await log.lastId();
      expect(await log.prune(10_000)).toBe(19);
      expect(await log.firstId()).toBe(last);
      expect(await log.lastId()).toBe(last);
      await log.transaction(async (_tx, record) => record(alertEvent('after', 1)));
      expect(await log.lastId()).toBeGreaterThan(last);
    });

    it('a device going online or offline is a device-state event, written with the state; no change, no event', async () => {
      const store = await fresh();
      await store.importSite(smallSite());
      const from = await store.eventLog.lastId();
      await store.upsertDeviceStates([{ deviceId: 'bin-t1', connected: true, lastSeenMs: 1000 }]);
      await store.upsertDeviceStates([{ deviceId: 'bin-t1', connected: true, lastSeenMs: 2000 }]);
      await store.upsertDeviceStates([{ deviceId: 'bin-t1', connected: false }, { deviceId: 'not-a-device', connected: true }]);
      const events = (await store.eventLog.readAfter(from, 10)).map((e) => e.event);
      expect(events).toEqual([
        { type: 'device', deviceId: 'bin-t1', gridId: expect.any(String), connected: true, atMs: 1000 },
        { type: 'device', deviceId: 'bin-t1', gridId: expect.any(String), connected: false, atMs: expect.any(Number) },
      ]);
    });

    it('a cursor is stored and moved with its owner\'s writes', async () => {
      const store = await fresh();
      expect(await readCursor(store.db, 'rules')).toBeNull();
      await writeCursor(store.db, 'rules', { segment: 1, offset: 40 }, 1);
      await writeCursor(store.db, 'rules', { segment: 2, offset: 0 }, 2);
      expect(await readCursor(store.db, 'rules')).toEqual({ segment: 2, offset: 0 });
    });
  });
}
