import type { DeviceInfo, DeviceKind, LivenessPolicy, Officer, Warden, WardenRole } from '@gridhub/core';
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { DeviceFilter } from './types.ts';
import type { StoreDatabase } from './schema.ts';

/** Devices joined with their estate, grid and community: everything a DeviceInfo needs. */
/** Devices with their place; `active` (the default) leaves retired ones out (live screens, counts, the ingest cache). */
function placedDevices(db: Kysely<StoreDatabase>, active = true) {
  const q = db
    .selectFrom('devices as d')
    .innerJoin('estates as e', 'e.id', 'd.estate_id')
    .innerJoin('grids as g', 'g.id', 'e.grid_id')
    .innerJoin('communities as c', 'c.id', 'g.community_id')
    .leftJoin('device_state as s', 's.device_id', 'd.id');
  return active ? q.where('d.retired_at', 'is', null) : q;
}

type PlacedQuery = ReturnType<typeof placedDevices>;

function selectInfo(q: PlacedQuery) {
  return q.select([
    'd.id', 'd.kind', 'd.name', 'd.estate_id', 'd.building_id', 'd.unit_id', 'd.floor', 'd.elevator_id', 'd.x', 'd.y',
    'd.installed_at', 'd.bin_depth_mm', 'd.sensor_offset_mm', 'd.model', 'd.dev_eui', 'd.network_app', 'd.imei', 'd.platform_device_id', 'd.params',
    'g.id as grid_id', 'c.id as community_id', 'c.street_id',
  ]);
}

type InfoRow = Awaited<ReturnType<ReturnType<typeof selectInfo>['executeTakeFirstOrThrow']>>;

function toDeviceInfo(r: InfoRow): DeviceInfo {
  return {
    id: r.id,
    kind: r.kind as DeviceKind,
    name: r.name,
    estateId: r.estate_id,
    buildingId: r.building_id,
    unitId: r.unit_id,
    floor: r.floor,
    elevatorId: r.elevator_id,
    x: r.x,
    y: r.y,
    installedAt: r.installed_at,
    binDepthMm: r.bin_depth_mm,
    sensorOffsetMm: r.sensor_offset_mm,
    model: r.model,
    devEui: r.dev_eui,
    networkApp: r.network_app,
    imei: r.imei,
    platformDeviceId: r.platform_device_id,
    params: JSON.parse(r.params) as DeviceInfo['params'],
    place: { street: r.street_id, community: r.community_id, grid: r.grid_id, estate: r.estate_id, building: r.building_id, unit: r.unit_id },
  };
}

export async function allDeviceInfo(db: Kysely<StoreDatabase>): Promise<DeviceInfo[]> {
  return (await selectInfo(placedDevices(db)).orderBy('d.id').execute()).map(toDeviceInfo);
}

export async function deviceInfo(db: Kysely<StoreDatabase>, id: string): Promise<DeviceInfo | undefined> {
  // A retired device is still described (its tickets and history stay readable).
  const row = await selectInfo(placedDevices(db, false)).where('d.id', '=', id).executeTakeFirst();
  return row && toDeviceInfo(row);
}

function applyFilter<O>(q: SelectQueryBuilder<any, any, O>, f: DeviceFilter): SelectQueryBuilder<any, any, O> {
  if (f.kind !== undefined) q = q.where('d.kind', '=', f.kind);
  if (f.gridId !== undefined) q = q.where('e.grid_id', '=', f.gridId);
  if (f.gridIds !== undefined) q = f.gridIds.length ? q.where('e.grid_id', 'in', [...f.gridIds]) : q.where(sql<boolean>`1 = 0`);
  if (f.estateId !== undefined) q = q.where('d.estate_id', '=', f.estateId);
  if (f.buildingId !== undefined) q = q.where('d.building_id', '=', f.buildingId);
  if (f.connected === true) q = q.where('s.connected', '=', 1);
  if (f.connected === false) q = q.where((eb) => eb.or([eb('s.connected', 'is', null), eb('s.connected', '=', 0)]));
  if (f.batteryBelowPct !== undefined) q = q.where('s.battery_pct', '<', f.batteryBelowPct);
  if (f.silentSinceMs !== undefined) {
    const since = f.silentSinceMs;
    q = q.where((eb) => eb.or([eb('s.last_seen_ms', 'is', null), eb('s.last_seen_ms', '<', since)]));
  }
  if (f.liveness !== undefined) {
    const { level, nowMs, policy } = f.liveness;
    // The SQL twin of core's livenessOf, one clause per kind (each kind has its own intervals).
    q = q.where((eb) =>
      eb.or(
        (Object.entries(policy) as [DeviceKind, LivenessPolicy][]).map(([kind, p]) => {
          const seen = eb('s.last_seen_ms', 'is not', null);
          // Only an explicit disconnect counts (livenessOf: `connected === false`); never-reported is NULL.
          const dropped = p.connected ? eb.and([eb(eb.fn.coalesce('s.connected', eb.lit(1)), '=', 0), eb('s.last_seen_ms', '<=', nowMs - p.willGraceMs)]) : eb.lit(false);
          const lateAt = nowMs - p.lateAfterMs;
          const offlineAt = nowMs - p.offlineAfterMs;
          const cond =
            level === 'unknown'
              ? eb('s.last_seen_ms', 'is', null)
              : level === 'offline'
                ? eb.and([seen, eb.or([dropped, eb('s.last_seen_ms', '<=', offlineAt)])])
                : level === 'late'
                  ? eb.and([seen, eb.not(dropped), eb('s.last_seen_ms', '<=', lateAt), eb('s.last_seen_ms', '>', offlineAt)])
                  : eb.and([seen, eb.not(dropped), eb('s.last_seen_ms', '>', lateAt)]);
          return eb.and([eb('d.kind', '=', kind), cond]);
        }),
      ),
    );
  }
  return q;
}

export async function listDevices(db: Kysely<StoreDatabase>, f: DeviceFilter): Promise<{ total: number; items: DeviceInfo[] }> {
  const base = placedDevices(db) as unknown as SelectQueryBuilder<any, any, {}>;
  const total = await applyFilter(base, f)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const rows = await applyFilter(selectInfo(placedDevices(db)) as unknown as SelectQueryBuilder<any, any, InfoRow>, f)
    .orderBy('d.id')
    .limit(f.limit)
    .offset(f.offset)
    .execute();
  return { total: Number(total.n), items: rows.map(toDeviceInfo) };
}

export async function deviceSecretHash(db: Kysely<StoreDatabase>, id: string): Promise<{ kind: DeviceKind; secretHash: string } | undefined> {
  // A retired device has no credentials: it cannot connect.
  const row = await db.selectFrom('devices').select(['kind', 'secret_hash']).where('id', '=', id).where('retired_at', 'is', null).executeTakeFirst();
  return row && { kind: row.kind as DeviceKind, secretHash: row.secret_hash };
}

export async function listWardens(db: Kysely<StoreDatabase>, gridId?: string): Promise<Warden[]> {
  let q = db.selectFrom('wardens').selectAll().where('retired_at', 'is', null);
  if (gridId !== undefined) q = q.where('grid_id', '=', gridId);
  const rows = await q.orderBy('grid_id').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, phone: r.phone, role: r.role as WardenRole, gridId: r.grid_id }));
}

/** Officers of communities and the street office (社区干部, 街道干部), optionally of one place. */
export async function listOfficers(db: Kysely<StoreDatabase>, placeId?: string): Promise<Officer[]> {
  let q = db.selectFrom('officers').selectAll();
  if (placeId !== undefined) q = q.where('place_id', '=', placeId);
  const rows = await q.orderBy('place_id').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, phone: r.phone, level: r.level === 'street' ? 'street' : 'community', placeId: r.place_id }));
}

/** The grids of a community, or of the whole street: what a community or street officer sees. */
export async function gridIdsIn(db: Kysely<StoreDatabase>, place: { communityId?: string | null; streetId?: string | null }): Promise<string[]> {
  let q = db.selectFrom('grids as g').innerJoin('communities as c', 'c.id', 'g.community_id').select('g.id');
  if (place.communityId) q = q.where('c.id', '=', place.communityId);
  else if (place.streetId) q = q.where('c.street_id', '=', place.streetId);
  else return [];
  return (await q.orderBy('g.id').execute()).map((r) => r.id);
}
