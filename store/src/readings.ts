import { bucketPlan, MESSAGE_KINDS } from '@gridhub/core';
import type { Reading } from '@gridhub/core';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { chunkRows } from './db.ts';
import type { StoreDatabase } from './schema.ts';
import type { HistoryQuery, HistoryResult, ReadingsQuery } from './types.ts';
import { readingRow } from './telemetry/rows.mjs';

/** One transaction; ON CONFLICT DO NOTHING on the readings' identity, so a batch written twice is stored once. */
export async function writeReadings(db: Kysely<StoreDatabase>, readings: readonly Reading[]): Promise<void> {
  if (readings.length === 0) return;
  const rows = readings.map(readingRow);
  await db.transaction().execute(async (trx) => {
    for (const chunk of chunkRows(rows, 11)) {
      await trx.insertInto('readings').values(chunk).onConflict((oc) => oc.doNothing()).execute();
    }
  });
}

export { bucketPlan };

/**
 * Mean of one numeric field of one device per bucket, computed in SQL. Every bucket is returned;
 * one with no data has value null. Booleans count as 0/1, other values not at all. The field is
 * read from each reading's `fields` JSON (there is no narrow table per field: migration 0200),
 * over range scans of the readings' primary key (device, message, ts), one per message kind.
 */
export async function queryReadings(db: Kysely<StoreDatabase>, q: HistoryQuery, dialect: 'sqlite' | 'postgres'): Promise<HistoryResult> {
  const plan = bucketPlan(q);
  const field = fieldOf(q.field, dialect);
  // The field is taken out of the JSON once per reading (inner), typed and averaged outside.
  const rows = field === null ? [] : await db
    .selectFrom(
      db
        .selectFrom('readings')
        .select([sql<number>`cast((ts_ms - ${plan.fromMs}) / ${plan.intervalMs} as integer)`.as('b'), field.extract.as('v')])
        .where('device_id', '=', q.deviceId)
        .where('message', 'in', [...MESSAGE_KINDS])
        .where('ts_ms', '>=', plan.fromMs)
        .where('ts_ms', '<=', plan.toMs)
        .as('r'),
    )
    .select(['r.b', sql<number>`avg(${field.number})`.as('mean')])
    .groupBy('r.b')
    .having(sql`count(${field.number})`, '>', 0)
    .execute();
  const means = new Map(rows.map((r) => [Number(r.b), Number(r.mean)]));
  const points = Array.from({ length: plan.buckets }, (_, i) => ({ tMs: plan.fromMs + i * plan.intervalMs, value: means.get(i) ?? null }));
  return { deviceId: q.deviceId, field: q.field, intervalMs: plan.intervalMs, points };
}

/**
 * A field of the readings' `fields` JSON text: `extract` takes it out of a row (as `v`), `number`
 * is `v` as a number (a boolean as 0/1), else null. Null for a name no stored field can have.
 */
function fieldOf(name: string, dialect: 'sqlite' | 'postgres'): { extract: RawBuilder<unknown>; number: RawBuilder<number> } | null {
  if (dialect === 'postgres') {
    return {
      extract: sql`fields::jsonb -> ${name}::text`,
      number: sql<number>`case jsonb_typeof(r.v) when 'number' then (r.v)::text::double precision when 'boolean' then ((r.v)::text::boolean)::int end`,
    };
  }
  // SQLite: json_extract gives a JSON number as a number, true/false as 1/0, a string as text. A
  // JSON path label in double quotes takes any name but one with a double quote.
  if (name.includes('"')) return null;
  return { extract: sql`json_extract(fields, ${`$."${name}"`})`, number: sql<number>`case when typeof(r.v) in ('integer', 'real') then r.v end` };
}

export async function countReadings(db: Kysely<StoreDatabase>, f: { deviceId?: string; message?: string }): Promise<number> {
  let q = db.selectFrom('readings').select((eb) => eb.fn.countAll<number>().as('n'));
  if (f.deviceId !== undefined) q = q.where('device_id', '=', f.deviceId);
  if (f.message !== undefined) q = q.where('message', '=', f.message);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/** Retention by arrival time (never the device's clock, which may be years off). */
export async function pruneReadings(db: Kysely<StoreDatabase>, olderThanMs: number): Promise<number> {
  const r = await db.deleteFrom('readings').where('rx_ms', '<', olderThanMs).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * Stored readings in [fromMs, toMs) on the device clock, oldest first (at most `limit`): what a
 * rule's dry run replays. The embedded telemetry's `readings` table (with InfluxDB as the sink it is empty).
 */
export async function listReadings(db: Kysely<StoreDatabase>, q: ReadingsQuery): Promise<Reading[]> {
  let sel = db.selectFrom('readings').selectAll().where('ts_ms', '>=', q.fromMs).where('ts_ms', '<', q.toMs);
  if (q.kinds?.length) sel = sel.where('kind', 'in', [...q.kinds]);
  const rows = await sel.orderBy('ts_ms').orderBy('device_id').orderBy('seq').limit(q.limit).execute();
  return rows.map((r) => ({
    deviceId: r.device_id,
    kind: r.kind as Reading['kind'],
    message: r.message as Reading['message'],
    tsMs: Number(r.ts_ms),
    seq: Number(r.seq),
    rxMs: Number(r.rx_ms),
    place: { street: '', community: '', grid: r.grid_id, estate: r.estate_id, building: r.building_id, unit: r.unit_id },
    fields: JSON.parse(r.fields) as Reading['fields'],
  }));
}
