import { hashSecret, type SiteFile } from '@gridhub/core';
import type { Kysely, Transaction } from 'kysely';
import { chunkRows } from '../db.ts';
import type { StoreDatabase } from '../schema.ts';
import { assertValidSite } from './parse.ts';

type Row = Record<string, string | number | null>;

/** The site's tables in parent-before-child order, as rows keyed by `id`. */
export interface SiteRows {
  streets: Row[];
  communities: Row[];
  grids: Row[];
  estates: Row[];
  buildings: Row[];
  units: Row[];
  devices: Row[];
  wardens: Row[];
  officers: Row[];
}
const TABLE_ORDER = ['streets', 'communities', 'grids', 'estates', 'buildings', 'units', 'devices', 'wardens', 'officers'] as const;

/** A node's retired state as its two columns (null while active). */
const retiredCols = (n: { retired?: { at: string; by: string } }) => ({ retired_at: n.retired?.at ?? null, retired_by: n.retired?.by ?? null });

/** Pure: the nested site file flattened to rows. `hashes` gives each device's stored secret hash. */
export function flattenSite(site: SiteFile, hashes: ReadonlyMap<string, string>): SiteRows {
  const rows: SiteRows = { streets: [], communities: [], grids: [], estates: [], buildings: [], units: [], devices: [], wardens: [], officers: [] };
  rows.streets.push({ id: site.street.id, name: site.street.name, control_room_phone: site.street.control_room?.phone ?? null });
  for (const o of site.street.officers ?? []) rows.officers.push({ id: o.id, name: o.name, phone: o.phone, level: 'street', place_id: site.street.id });
  for (const c of site.communities) {
    rows.communities.push({ id: c.id, name: c.name, street_id: site.street.id, ...retiredCols(c) });
    for (const o of c.officers ?? []) rows.officers.push({ id: o.id, name: o.name, phone: o.phone, level: 'community', place_id: c.id });
    for (const g of c.grids) {
      rows.grids.push({ id: g.id, name: g.name, community_id: c.id, ...retiredCols(g) });
      for (const w of g.wardens) rows.wardens.push({ id: w.id, name: w.name, phone: w.phone, role: w.role, grid_id: g.id, ...retiredCols(w) });
      for (const e of g.estates) {
        rows.estates.push({ id: e.id, name: e.name, grid_id: g.id, width_m: e.plan.width_m, height_m: e.plan.height_m, ...retiredCols(e) });
        for (const b of e.buildings) {
          rows.buildings.push({
            id: b.id, name: b.name, estate_id: e.id, floors: b.floors, x: b.position.x, y: b.position.y, w: b.size?.w ?? null, h: b.size?.h ?? null, ...retiredCols(b),
          });
          for (const u of b.units) rows.units.push({ id: u.id, name: u.name, building_id: b.id, elevators: JSON.stringify(u.elevators ?? []), ...retiredCols(u) });
        }
        for (const d of e.devices) {
          const secretHash = hashes.get(d.id);
          if (secretHash === undefined) throw new Error(`no secret hash for device ${d.id}`);
          rows.devices.push({
            id: d.id, kind: d.kind, name: d.name ?? null, estate_id: e.id, building_id: d.building ?? null, unit_id: d.unit ?? null,
            floor: d.floor ?? null, elevator_id: d.elevator ?? null, x: d.position?.x ?? null, y: d.position?.y ?? null,
            installed_at: d.installed ?? null, bin_depth_mm: d.bin_depth_mm ?? null, sensor_offset_mm: d.sensor_offset_mm ?? null,
            secret_hash: secretHash,
            model: d.model ?? null, dev_eui: d.dev_eui?.toLowerCase() ?? null, network_app: d.network_app ?? null, imei: d.imei ?? null,
            platform_device_id: d.platform_device_id ?? null, params: JSON.stringify(d.params ?? {}), ...retiredCols(d),
          });
        }
      }
    }
  }
  return rows;
}

/** Stored hashes as given; plain secrets hashed (scrypt, in parallel on libuv's pool). */
export async function deviceSecretHashes(site: SiteFile): Promise<Map<string, string>> {
  const devices = site.communities.flatMap((c) => c.grids.flatMap((g) => g.estates.flatMap((e) => e.devices)));
  const pairs = await Promise.all(
    devices.map(async (d) => [d.id, d.secret_hash ?? (await hashSecret(d.secret ?? ''))] as const),
  );
  return new Map(pairs);
}

async function upsertRows(trx: Transaction<any>, table: string, rows: Row[]): Promise<void> {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first).filter((c) => c !== 'id');
  for (const chunk of chunkRows(rows, columns.length + 1)) {
    await trx
      .insertInto(table)
      .values(chunk)
      .onConflict((oc) => oc.column('id').doUpdateSet(Object.fromEntries(columns.map((c) => [c, (eb: any) => eb.ref(`excluded.${c}`)]))))
      .execute();
  }
}

async function deleteStale(trx: Transaction<any>, table: string, keep: Row[]): Promise<void> {
  const wanted = new Set(keep.map((r) => r.id));
  const existing = (await trx.selectFrom(table).select('id').execute()) as { id: string }[];
  const stale = existing.map((r) => r.id).filter((id) => !wanted.has(id));
  for (const chunk of chunkRows(stale, 1)) await trx.deleteFrom(table).where('id', 'in', chunk).execute();
}

/**
 * Validates (schema + references), hashes plain secrets, then in ONE transaction upserts every
 * entity and deletes what the new site no longer has (children first). Device state survives for
 * devices that stay; it goes with a device that is removed (ON DELETE CASCADE).
 */
export async function importSite(db: Kysely<StoreDatabase>, input: SiteFile, join?: (tx: Transaction<StoreDatabase>) => Promise<void>): Promise<{ devices: number; wardens: number }> {
  const site = assertValidSite(input, `site ${input?.street?.id ?? ''}`.trim());
  const rows = flattenSite(site, await deviceSecretHashes(site));
  await (db as Kysely<any>).transaction().execute(async (trx) => {
    for (const table of TABLE_ORDER) await upsertRows(trx, table, rows[table]);
    for (const table of [...TABLE_ORDER].reverse()) await deleteStale(trx, table, rows[table]);
    await join?.(trx);
  });
  return { devices: rows.devices.length, wardens: rows.wardens.length };
}
