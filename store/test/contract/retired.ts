import { describe, expect, it } from 'vitest';
import { exportSite } from '../../src/index.ts';
import { smallSite } from '../fixtures.ts';
import type { ContractContext } from './harness.ts';

/** Retired site nodes (撤销, migration 0190): kept, out of live lists and credentials, exported with their state. */
export function retiredContract({ fresh }: ContractContext): void {
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
      const back = (await exportSite(store.db))!;
      expect(back.communities[0]!.grids[0]!.estates[0]!.devices.find((d) => d.id === 'smk-t1')!.retired).toEqual({ at: '2026-12-01T08:00:00.000Z', by: 'admin' });
      expect(back.communities[0]!.grids[0]!.wardens.find((w) => w.id === 'w-2')!.retired?.by).toBe('admin');
    });
  });
}
