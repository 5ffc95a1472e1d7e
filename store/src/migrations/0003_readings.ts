import type { Kysely } from 'kysely';

/**
 * Embedded telemetry (used when no InfluxDB is configured).
 * - `readings`: one row per message, identity (device_id, message, ts_ms, seq), fields as JSON
 *   text, place tags as columns.
 * - `reading_values`: one narrow row per numeric field, keyed so that the history of one field
 *   of one device over a time range is a primary-key range scan (device_id, field, ts_ms, ...).
 * Both are written with ON CONFLICT DO NOTHING, so a batch written twice is stored once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('readings')
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('ts_ms', 'bigint', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('rx_ms', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('grid_id', 'text', (c) => c.notNull())
    .addColumn('estate_id', 'text', (c) => c.notNull())
    .addColumn('building_id', 'text')
    .addColumn('unit_id', 'text')
    .addColumn('fields', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('readings_pk', ['device_id', 'message', 'ts_ms', 'seq'])
    .execute();
  await db.schema
    .createTable('reading_values')
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('ts_ms', 'bigint', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('reading_values_pk', ['device_id', 'field', 'ts_ms', 'message', 'seq'])
    .execute();
  // For pruning by age.
  await db.schema.createIndex('readings_ts').on('readings').column('ts_ms').execute();
  await db.schema.createIndex('reading_values_ts').on('reading_values').column('ts_ms').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reading_values').execute();
  await db.schema.dropTable('readings').execute();
}
