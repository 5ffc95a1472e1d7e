import { HubError, verifySecret, type SiteFile } from '@gridhub/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoDeviceSecret, MIGRATIONS } from '../../src/index.ts';
import { clone, siteDevices, siteWardens, smallSite } from '../fixtures.ts';
import { type ContractContext, dumpAll, rowCounts, expectSiteInvalid } from './harness.ts';

/** Migrations and site import: counts, tree, places, hashed secrets, refusal of a bad site, rollback, re-import. */
export function siteContract(ctx: ContractContext): void {
  const { fresh } = ctx;
  let demo!: SiteFile;
  beforeAll(() => {
    demo = ctx.demo;
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
    expect(tree.street).toEqual({
      id: demo.street.id, name: demo.street.name, controlRoomPhone: demo.street.control_room?.phone ?? null,
      officers: (demo.street.officers ?? []).map((o) => ({ ...o, level: 'street', placeId: demo.street.id })),
    });
    // The officers (社区干部, 街道干部) of the site file, by place; the grids a community officer's login covers.
    expect(tree.communities[0]!.officers.map((o) => o.id)).toEqual((demo.communities[0]!.officers ?? []).map((o) => o.id));
    expect(tree.communities[0]!.officers.length).toBeGreaterThan(0);
    expect(await store.gridIdsIn({ communityId: demo.communities[0]!.id })).toEqual(demo.communities[0]!.grids.map((g) => g.id).sort());
    expect(await store.gridIdsIn({ streetId: demo.street.id })).toHaveLength(demo.communities.flatMap((c) => c.grids).length);
    expect(await store.gridIdsIn({ communityId: 'c-nowhere' })).toEqual([]);
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
}
