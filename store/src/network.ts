import { sql, type Kysely } from 'kysely';
import { chunkRows } from './db.ts';
import type { StoreDatabase } from './schema.ts';
import type { UnclaimedDevice } from './types.ts';

/** Folds sightings of the same identity (count summed, first/last seen widened, latest origin kept). Pure. */
export function foldSightings(sightings: readonly UnclaimedDevice[]): UnclaimedDevice[] {
  const by = new Map<string, UnclaimedDevice>();
  for (const s of sightings) {
    const key = `${s.network}\u0000${s.identityType}\u0000${s.identity}`;
    const prev = by.get(key);
    if (!prev) by.set(key, { ...s });
    else {
      prev.count += s.count;
      prev.firstSeenMs = Math.min(prev.firstSeenMs, s.firstSeenMs);
      if (s.lastSeenMs >= prev.lastSeenMs) Object.assign(prev, { lastSeenMs: s.lastSeenMs, origin: s.origin, detail: s.detail });
    }
  }
  return [...by.values()];
}

/** One transaction: upsert each identity, adding to its count; first seen kept, last seen and origin moved forward. */
export async function recordUnclaimed(db: Kysely<StoreDatabase>, sightings: readonly UnclaimedDevice[]): Promise<void> {
  if (sightings.length === 0) return;
  const rows = foldSightings(sightings).map((s) => ({
    network: s.network, identity_type: s.identityType, identity: s.identity, first_seen_ms: s.firstSeenMs, last_seen_ms: s.lastSeenMs,
    count: s.count, origin: s.origin, detail: JSON.stringify(s.detail),
  }));
  await db.transaction().execute(async (trx) => {
    for (const chunk of chunkRows(rows, 8)) {
      await trx
        .insertInto('unclaimed_devices')
        .values(chunk)
        .onConflict((oc) =>
          oc.columns(['network', 'identity_type', 'identity']).doUpdateSet((eb) => ({
            count: sql<number>`unclaimed_devices.count + excluded.count`,
            first_seen_ms: sql<number>`case when excluded.first_seen_ms < unclaimed_devices.first_seen_ms then excluded.first_seen_ms else unclaimed_devices.first_seen_ms end`,
            last_seen_ms: eb.ref('excluded.last_seen_ms'),
            origin: eb.ref('excluded.origin'),
            detail: eb.ref('excluded.detail'),
          })),
        )
        .execute();
    }
  });
}

/** Unclaimed identities, most recently seen first; those now in the site's devices are left out. */
export async function listUnclaimed(db: Kysely<StoreDatabase>, f: { limit: number }): Promise<UnclaimedDevice[]> {
  const rows = await db
    .selectFrom('unclaimed_devices as u')
    .selectAll('u')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('devices as d')
            .select('d.id')
            .where((w) =>
              w.or([
                w.and([w('u.identity_type', '=', 'devEui'), w('d.dev_eui', '=', w.ref('u.identity'))]),
                w.and([w('u.identity_type', '=', 'imei'), w('d.imei', '=', w.ref('u.identity'))]),
                w.and([w('u.identity_type', '=', 'platformDeviceId'), w('d.platform_device_id', '=', w.ref('u.identity'))]),
              ]),
            ),
        ),
      ),
    )
    .orderBy('u.last_seen_ms', 'desc')
    .limit(f.limit)
    .execute();
  return rows.map((r) => ({
    network: r.network,
    identityType: r.identity_type as UnclaimedDevice['identityType'],
    identity: r.identity,
    firstSeenMs: Number(r.first_seen_ms),
    lastSeenMs: Number(r.last_seen_ms),
    count: r.count,
    origin: r.origin,
    detail: JSON.parse(r.detail) as Record<string, string>,
  }));
}

export async function recordUplinkKeys(db: Kysely<StoreDatabase>, keys: readonly { key: string; seenMs: number }[]): Promise<void> {
  if (keys.length === 0) return;
  // the first sighting of a key counts (within the batch too)
  const first = new Map<string, { key: string; seen_ms: number }>();
  for (const k of keys) if (!first.has(k.key)) first.set(k.key, { key: k.key, seen_ms: k.seenMs });
  const rows = [...first.values()];
  await db.transaction().execute(async (trx) => {
    for (const chunk of chunkRows(rows, 2)) {
      await trx.insertInto('uplink_seen').values(chunk).onConflict((oc) => oc.column('key').doNothing()).execute();
    }
  });
}

export async function recentUplinkKeys(db: Kysely<StoreDatabase>, sinceMs: number, limit: number): Promise<{ key: string; seenMs: number }[]> {
  const rows = await db.selectFrom('uplink_seen').selectAll().where('seen_ms', '>=', sinceMs).orderBy('seen_ms', 'desc').limit(limit).execute();
  return rows.map((r) => ({ key: r.key, seenMs: Number(r.seen_ms) }));
}

export async function pruneUplinkKeys(db: Kysely<StoreDatabase>, olderThanMs: number): Promise<number> {
  const r = await db.deleteFrom('uplink_seen').where('seen_ms', '<', olderThanMs).executeTakeFirst();
  return Number(r.numDeletedRows);
}
