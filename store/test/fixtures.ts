import type { DevicePlace, FieldValue, Reading, SiteFile } from '@gridhub/core';

export const PLACE: DevicePlace = { street: 'st-x', community: 'c-x', grid: 'g-x', estate: 'e-x', building: 'b-x', unit: null };

export function reading(deviceId: string, tsMs: number, seq: number, fields: Record<string, FieldValue>): Reading {
  return { deviceId, kind: 'bin', message: 'telemetry', tsMs, seq, rxMs: tsMs + 5, place: PLACE, fields };
}

/** A deep copy to mutate in a test. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** A small valid site with plain secrets (hashed on import). */
export function smallSite(): SiteFile {
  return {
    version: 1,
    street: { id: 'st-test', name: '测试街道' },
    communities: [
      {
        id: 'c-test',
        name: '测试社区',
        grids: [
          {
            id: 'g-test',
            name: '第一网格',
            wardens: [{ id: 'w-1', name: '王建华', phone: '138 0000 9001', role: 'grid_leader' }],
            estates: [
              {
                id: 'e-test',
                name: '测试小区',
                plan: { width_m: 100, height_m: 80 },
                buildings: [
                  { id: 'b1', name: '1号楼', floors: 6, position: { x: 10, y: 10 }, units: [{ id: 'b1-u1', name: '1单元', elevators: ['b1-u1-e1'] }] },
                ],
                devices: [
                  { id: 'smk-t1', kind: 'smoke', secret: 'plain-secret-smk-t1', building: 'b1', unit: 'b1-u1', floor: 3 },
                  { id: 'eb-t1', kind: 'ebike', secret: 'plain-secret-eb-t1', building: 'b1', unit: 'b1-u1', elevator: 'b1-u1-e1' },
                  { id: 'bin-t1', kind: 'bin', secret: 'plain-secret-bin-t1', position: { x: 50, y: 60 }, bin_depth_mm: 1000 },
                  { id: 'mh-t1', kind: 'manhole', secret: 'plain-secret-mh-t1', position: { x: 5, y: 5 } },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

export function siteDevices(site: SiteFile) {
  return site.communities.flatMap((c) => c.grids.flatMap((g) => g.estates.flatMap((e) => e.devices)));
}

export function siteWardens(site: SiteFile) {
  return site.communities.flatMap((c) => c.grids.flatMap((g) => g.wardens));
}
