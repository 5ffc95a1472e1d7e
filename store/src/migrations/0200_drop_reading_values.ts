import type { Kysely } from 'kysely';

/**
 * `reading_values` (0003) goes: one narrow row per numeric field, keyed (device, field, ts), put
 * three more rows per reading at random places in a B-tree. On SQLite that was 60 µs of the
 * telemetry writer's CPU and 4.2 KB written to disk per reading, against 20 µs and 1 KB without
 * it; on PostgreSQL the telemetry fell behind 5,000 msg/s. History reads the field from the
 * readings' `fields` JSON instead (readings.ts). Nothing is lost: every value in the table is in
 * its reading's `fields` too. (On SQLite the table here is an older hub's, emptied when its
 * readings moved to telemetry.sqlite; that file drops its own copy at open.)
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reading_values').ifExists().execute();
}

/** The table back, empty (the values stay in `readings.fields`; an older hub's history starts from its return). */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reading_values')
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('ts_ms', 'bigint', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addColumn('rx_ms', 'bigint')
    .addPrimaryKeyConstraint('reading_values_pk', ['device_id', 'field', 'ts_ms', 'message', 'seq'])
    .execute();
  await db.schema.createIndex('reading_values_rx').on('reading_values').column('rx_ms').execute();
}
