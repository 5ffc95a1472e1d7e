import type { DeviceKind } from '@gridhub/core';
import type { Kysely } from 'kysely';
import { listOfficers, listWardens } from './devices.ts';
import type { StoreDatabase } from './schema.ts';
import type { SiteTree } from './types.ts';

function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** The whole site nested as people read it (retired nodes left out), with per-estate device counts by kind. */
export async function siteTree(db: Kysely<StoreDatabase>): Promise<SiteTree> {
  const [streets, communities, grids, estates, buildings, units, wardens, officers, counts] = await Promise.all([
    db.selectFrom('streets').selectAll().orderBy('id').execute(),
    db.selectFrom('communities').selectAll().where('retired_at', 'is', null).orderBy('id').execute(),
    db.selectFrom('grids').selectAll().where('retired_at', 'is', null).orderBy('id').execute(),
    db.selectFrom('estates').selectAll().where('retired_at', 'is', null).orderBy('id').execute(),
    db.selectFrom('buildings').selectAll().where('retired_at', 'is', null).orderBy('id').execute(),
    db.selectFrom('units').selectAll().where('retired_at', 'is', null).orderBy('id').execute(),
    listWardens(db),
    listOfficers(db),
    db
      .selectFrom('devices')
      .where('retired_at', 'is', null)
      .select(['estate_id', 'kind', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(['estate_id', 'kind'])
      .execute(),
  ]);
  const unitsBy = groupBy(units, (u) => u.building_id);
  const buildingsBy = groupBy(buildings, (b) => b.estate_id);
  const estatesBy = groupBy(estates, (e) => e.grid_id);
  const wardensBy = groupBy(wardens, (w) => w.gridId);
  const gridsBy = groupBy(grids, (g) => g.community_id);
  const officersBy = groupBy(officers, (o) => o.placeId);
  const countsBy = groupBy(counts, (c) => c.estate_id);
  const street = streets[0];
  return {
    street: street ? { id: street.id, name: street.name, controlRoomPhone: street.control_room_phone ?? null, officers: officersBy.get(street.id) ?? [] } : null,
    communities: communities.map((c) => ({
      id: c.id,
      name: c.name,
      streetId: c.street_id,
      officers: officersBy.get(c.id) ?? [],
      grids: (gridsBy.get(c.id) ?? []).map((g) => ({
        id: g.id,
        name: g.name,
        communityId: g.community_id,
        wardens: wardensBy.get(g.id) ?? [],
        estates: (estatesBy.get(g.id) ?? []).map((e) => ({
          id: e.id,
          name: e.name,
          gridId: e.grid_id,
          widthM: e.width_m,
          heightM: e.height_m,
          deviceCounts: Object.fromEntries((countsBy.get(e.id) ?? []).map((r) => [r.kind as DeviceKind, Number(r.n)])),
          buildings: (buildingsBy.get(e.id) ?? []).map((b) => ({
            id: b.id,
            name: b.name,
            estateId: b.estate_id,
            floors: b.floors,
            x: b.x,
            y: b.y,
            w: b.w,
            h: b.h,
            units: (unitsBy.get(b.id) ?? []).map((u) => ({ id: u.id, name: u.name, buildingId: u.building_id, elevators: JSON.parse(u.elevators) as string[] })),
          })),
        })),
      })),
    })),
  };
}
