import type { DeviceState, Refusal } from '@gridhub/core';
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import { chunkRows, type SqlDialectName } from './db.ts';
import type { DeviceStateTable, StoreDatabase } from './schema.ts';
import type { DeviceStatePatch } from './types.ts';

/** Pure: patches for the same device folded in order (later fields win; `latest` merged by key). */
export function foldPatches(patches: readonly DeviceStatePatch[]): DeviceStatePatch[] {
  const byDevice = new Map<string, DeviceStatePatch>();
  for (const p of patches) {
    const prev = byDevice.get(p.deviceId);
    if (!prev) {
      byDevice.set(p.deviceId, { ...p, ...(p.latest ? { latest: { ...p.latest } } : {}) });
      continue;
    }
    const latest = prev.latest || p.latest ? { ...prev.latest, ...p.latest } : undefined;
    for (const [k, v] of Object.entries(p)) if (v !== undefined) (prev as unknown as Record<string, unknown>)[k] = v;
    if (latest) prev.latest = latest;
  }
  return [...byDevice.values()];
}

/** The ids among `ids` that are devices of the site (state and counts are kept for those only). */
async function knownDevices(trx: Transaction<StoreDatabase>, ids: readonly string[]): Promise<Set<string>> {
  const known = new Set<string>();
  for (const chunk of chunkRows(ids, 1)) {
    const rows = await trx.selectFrom('devices').select('id').where('id', 'in', chunk).execute();
    for (const r of rows) known.add(r.id);
  }
  return known;
}

function mergeLatest(dialect: SqlDialectName): RawBuilder<string> {
  return dialect === 'sqlite'
    ? sql<string>`json_patch(device_state.latest, excluded.latest)`
    : sql<string>`(device_state.latest::jsonb || excluded.latest::jsonb)::text`;
}

const PATCHED = ['last_seen_ms', 'connected', 'battery_pct', 'latest_ts_ms', 'last_event', 'last_event_ms', 'radio'] as const;

function patchRow(p: DeviceStatePatch): DeviceStateTable {
  return {
    device_id: p.deviceId,
    last_seen_ms: p.lastSeenMs ?? null,
    connected: p.connected === undefined ? null : p.connected ? 1 : 0,
    battery_pct: p.batteryPct ?? null,
    latest: JSON.stringify(p.latest ?? {}),
    latest_ts_ms: p.latestTsMs ?? null,
    last_event: p.lastEvent ?? null,
    last_event_ms: p.lastEventMs ?? null,
    refused_count: 0,
    radio: p.radio ? JSON.stringify(p.radio) : null,
  };
}

/**
 * One transaction: fold the patches per device, keep those of known devices, and upsert with
 * the merge done in SQL (absent fields keep their value; `latest` merged key by key), so no
 * read-modify-write race with another writer on either dialect.
 */
export async function upsertDeviceStates(db: Kysely<StoreDatabase>, dialect: SqlDialectName, patches: readonly DeviceStatePatch[]): Promise<void> {
  if (patches.length === 0) return;
  const folded = foldPatches(patches);
  await db.transaction().execute(async (trx) => {
    const known = await knownDevices(trx, folded.map((p) => p.deviceId));
    const rows = folded.filter((p) => known.has(p.deviceId)).map(patchRow);
    for (const chunk of chunkRows(rows, 10)) {
      await trx
        .insertInto('device_state')
        .values(chunk)
        .onConflict((oc) =>
          oc.column('device_id').doUpdateSet((eb) => ({
            ...Object.fromEntries(PATCHED.map((c) => [c, eb.fn.coalesce(eb.ref(`excluded.${c}`), eb.ref(`device_state.${c}`))])),
            latest: mergeLatest(dialect),
          })),
        )
        .execute();
    }
  });
}

function toDeviceState(r: DeviceStateTable): DeviceState {
  return {
    deviceId: r.device_id,
    lastSeenMs: r.last_seen_ms,
    connected: r.connected === null ? null : r.connected === 1,
    batteryPct: r.battery_pct,
    latest: JSON.parse(r.latest) as DeviceState['latest'],
    latestTsMs: r.latest_ts_ms,
    lastEvent: r.last_event,
    lastEventMs: r.last_event_ms,
    refusedCount: r.refused_count,
    radio: r.radio ? (JSON.parse(r.radio) as DeviceState['radio']) : null,
  };
}

export async function deviceState(db: Kysely<StoreDatabase>, id: string): Promise<DeviceState | undefined> {
  const r = await db.selectFrom('device_state').selectAll().where('device_id', '=', id).executeTakeFirst();
  return r && toDeviceState(r);
}

export async function deviceStates(db: Kysely<StoreDatabase>, ids: readonly string[]): Promise<Map<string, DeviceState>> {
  const out = new Map<string, DeviceState>();
  for (const chunk of chunkRows([...new Set(ids)], 1)) {
    const rows = await db.selectFrom('device_state').selectAll().where('device_id', 'in', chunk).execute();
    for (const r of rows) out.set(r.device_id, toDeviceState(r));
  }
  return out;
}

/**
 * One transaction: insert the refusals, add them to each known device's refused count and to the
 * counts by device and reason, and keep only the latest `keep` rows of each device touched.
 */
export async function recordRefusals(db: Kysely<StoreDatabase>, refusals: readonly Refusal[], keep = 1000): Promise<void> {
  if (refusals.length === 0) return;
  const rows = refusals.map((r) => ({
    rx_ms: r.rxMs, topic: r.topic, device_id: r.deviceId, client_id: r.clientId, code: r.code, reason: r.reason, head: r.head, bytes: r.bytes,
  }));
  const perDevice = new Map<string, number>();
  for (const r of refusals) if (r.deviceId !== null) perDevice.set(r.deviceId, (perDevice.get(r.deviceId) ?? 0) + 1);
  const byReason = new Map<string, { device_id: string; code: string; n: number }>();
  for (const r of refusals) {
    const key = `${r.deviceId ?? ''}\u0000${r.code}`;
    const c = byReason.get(key) ?? { device_id: r.deviceId ?? '', code: r.code, n: 0 };
    c.n++;
    byReason.set(key, c);
  }
  await db.transaction().execute(async (trx) => {
    for (const chunk of chunkRows(rows, 8)) await trx.insertInto('refusals').values(chunk).execute();
    for (const chunk of chunkRows([...byReason.values()], 3)) {
      await trx.insertInto('refusal_counts').values(chunk).onConflict((oc) => oc.columns(['device_id', 'code']).doUpdateSet({ n: sql<number>`refusal_counts.n + excluded.n` })).execute();
    }
    for (const id of new Set(refusals.map((r) => r.deviceId))) {
      const owner = (q: any) => (id === null ? q.where('device_id', 'is', null) : q.where('device_id', '=', id));
      const edge = await owner(trx.selectFrom('refusals').select('rx_ms')).orderBy('rx_ms', 'desc').offset(keep).limit(1).executeTakeFirst();
      if (edge) await owner(trx.deleteFrom('refusals')).where('rx_ms', '<=', edge.rx_ms).execute();
    }
    const known = await knownDevices(trx, [...perDevice.keys()]);
    const counts = [...perDevice].filter(([id]) => known.has(id)).map(([id, n]) => ({ device_id: id, latest: '{}', refused_count: n }));
    for (const chunk of chunkRows(counts, 2)) {
      await trx
        .insertInto('device_state')
        .values(chunk)
        .onConflict((oc) =>
          oc.column('device_id').doUpdateSet({ refused_count: sql<number>`device_state.refused_count + excluded.refused_count` }),
        )
        .execute();
    }
  });
}

interface RefusalFilter {
  deviceId?: string;
  code?: string;
}

function refusalsWhere(db: Kysely<StoreDatabase>, f: RefusalFilter) {
  let q = db.selectFrom('refusals');
  if (f.deviceId !== undefined) q = q.where('device_id', '=', f.deviceId);
  if (f.code !== undefined) q = q.where('code', '=', f.code);
  return q;
}

export async function listRefusals(db: Kysely<StoreDatabase>, f: RefusalFilter & { limit: number; beforeMs?: number }): Promise<Refusal[]> {
  let q = refusalsWhere(db, f).selectAll();
  if (f.beforeMs !== undefined) q = q.where('rx_ms', '<', f.beforeMs);
  const rows = await q.orderBy('rx_ms', 'desc').limit(f.limit).execute();
  return rows.map((r) => ({
    topic: r.topic, deviceId: r.device_id, clientId: r.client_id, code: r.code, reason: r.reason, head: r.head, bytes: r.bytes, rxMs: r.rx_ms,
  }));
}

/** How many were refused, whole (from the counts by device and reason, not the rows kept). */
export async function countRefusals(db: Kysely<StoreDatabase>, f: RefusalFilter): Promise<number> {
  let q = db.selectFrom('refusal_counts').select((eb) => eb.fn.sum<number>('n').as('n'));
  if (f.deviceId !== undefined) q = q.where('device_id', '=', f.deviceId);
  if (f.code !== undefined) q = q.where('code', '=', f.code);
  const r = await q.executeTakeFirst();
  return Number(r?.n ?? 0);
}
