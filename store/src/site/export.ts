import type { DeviceKind, SiteFile, WardenRole } from '@gridhub/core';
import { dump } from 'js-yaml';
import type { Kysely } from 'kysely';
import type { StoreDatabase } from '../schema.ts';

type Entry = SiteFile['communities'][number]['grids'][number]['estates'][number]['devices'][number];

/** A retired row's state as the site file's `retired` (absent while active). */
const retiredOf = (r: { retired_at: string | null; retired_by: string | null }) => (r.retired_at === null ? {} : { retired: { at: r.retired_at, by: r.retired_by ?? 'unknown' } });

const opt = <K extends string, V>(key: K, v: V | null): { [P in K]?: V } => (v === null ? {} : ({ [key]: v } as { [P in K]: V }));

/**
 * The stored site as the nested site file the hub reads (HUB_SITE), device secrets as their
 * scrypt hashes (`secret_hash`): importing it again changes nothing. Rows in id order.
 */
export async function exportSite(db: Kysely<StoreDatabase>): Promise<SiteFile | null> {
  const [streets, communities, grids, estates, buildings, units, devices, wardens, officers] = await Promise.all([
    db.selectFrom('streets').selectAll().orderBy('id').execute(),
    db.selectFrom('communities').selectAll().orderBy('id').execute(),
    db.selectFrom('grids').selectAll().orderBy('id').execute(),
    db.selectFrom('estates').selectAll().orderBy('id').execute(),
    db.selectFrom('buildings').selectAll().orderBy('id').execute(),
    db.selectFrom('units').selectAll().orderBy('id').execute(),
    db.selectFrom('devices').selectAll().orderBy('id').execute(),
    db.selectFrom('wardens').selectAll().orderBy('id').execute(),
    db.selectFrom('officers').selectAll().orderBy('id').execute(),
  ]);
  const street = streets[0];
  if (!street) return null;
  const by = <T extends Record<string, unknown>>(rows: T[], key: keyof T) => {
    const m = new Map<string, T[]>();
    for (const r of rows) m.set(String(r[key]), [...(m.get(String(r[key])) ?? []), r]);
    return (id: string) => m.get(id) ?? [];
  };
  const gridsOf = by(grids, 'community_id');
  const estatesOf = by(estates, 'grid_id');
  const buildingsOf = by(buildings, 'estate_id');
  const unitsOf = by(units, 'building_id');
  const devicesOf = by(devices, 'estate_id');
  const wardensOf = by(wardens, 'grid_id');
  const officersOf = by(officers, 'place_id');
  const officerList = (placeId: string) => {
    const list = officersOf(placeId).map((o) => ({ id: o.id, name: o.name, phone: o.phone }));
    return list.length ? { officers: list } : {};
  };
  const device = (d: (typeof devices)[number]): Entry => ({
    id: d.id,
    kind: d.kind as DeviceKind,
    ...opt('name', d.name),
    secret_hash: d.secret_hash,
    ...opt('building', d.building_id),
    ...opt('unit', d.unit_id),
    ...opt('floor', d.floor === null ? null : Number(d.floor)),
    ...opt('elevator', d.elevator_id),
    ...(d.x !== null && d.y !== null ? { position: { x: Number(d.x), y: Number(d.y) } } : {}),
    ...opt('installed', d.installed_at),
    ...opt('bin_depth_mm', d.bin_depth_mm === null ? null : Number(d.bin_depth_mm)),
    ...opt('sensor_offset_mm', d.sensor_offset_mm === null ? null : Number(d.sensor_offset_mm)),
    ...opt('model', d.model),
    ...opt('dev_eui', d.dev_eui),
    ...opt('network_app', d.network_app),
    ...opt('imei', d.imei),
    ...opt('platform_device_id', d.platform_device_id),
    ...(d.params && d.params !== '{}' ? { params: JSON.parse(d.params) as NonNullable<Entry['params']> } : {}),
    ...retiredOf(d),
  });
  return {
    version: 1,
    street: { id: street.id, name: street.name, ...(street.control_room_phone ? { control_room: { phone: street.control_room_phone } } : {}), ...officerList(street.id) },
    communities: communities.map((c) => ({
      id: c.id,
      name: c.name,
      ...officerList(c.id),
      ...retiredOf(c),
      grids: gridsOf(c.id).map((g) => ({
        id: g.id,
        name: g.name,
        ...retiredOf(g),
        estates: estatesOf(g.id).map((e) => ({
          id: e.id,
          name: e.name,
          plan: { width_m: Number(e.width_m), height_m: Number(e.height_m) },
          ...retiredOf(e),
          buildings: buildingsOf(e.id).map((b) => ({
            id: b.id,
            name: b.name,
            floors: Number(b.floors),
            position: { x: Number(b.x), y: Number(b.y) },
            ...(b.w !== null && b.h !== null ? { size: { w: Number(b.w), h: Number(b.h) } } : {}),
            ...retiredOf(b),
            units: unitsOf(b.id).map((u) => {
              const elevators = JSON.parse(u.elevators) as string[];
              return { id: u.id, name: u.name, ...(elevators.length ? { elevators } : {}), ...retiredOf(u) };
            }),
          })),
          devices: devicesOf(e.id).map(device),
        })),
        wardens: wardensOf(g.id).map((w) => ({ id: w.id, name: w.name, phone: w.phone, role: w.role as WardenRole, ...retiredOf(w) })),
      })),
    })),
  };
}

/** Replaces one device's secret hash (provision, rotate, revoke); false when there is no such device. */
export async function setDeviceSecretHash(db: Kysely<StoreDatabase>, id: string, secretHash: string): Promise<boolean> {
  const r = await db.updateTable('devices').set({ secret_hash: secretHash }).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The site file as YAML (what HUB_SITE reads). */
export function siteToYaml(site: SiteFile): string {
  return `# GridHub site file, exported ${new Date().toISOString()}: device secrets as scrypt hashes\n${dump(site, { lineWidth: 160, noRefs: true })}`;
}
