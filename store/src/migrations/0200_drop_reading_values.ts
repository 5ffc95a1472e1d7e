import type { Kysely } from 'kysely';

/**
 * `reading_values` (0003) goes: one narrow row per numeric field, keyed (device, field, ts), put
 * three more rows per reading at random places in a B-tree. On SQLite that was 60 µs of the
 * telemetry writer's CPU and 4.2 KB written to disk per reading, against 20 µs and 1 KB without
 * it; on PostgreSQL the telemetry fell behind 5,000 msg/s. History reads the field from the
 * readings' `fields` JSON instead (readings.ts). Nothing is lost: every value in the table is in
 * its reading's `fields` too. (On SQLite the table here is an older hub's, emptied when its
 * readings moved to telemetry.sqlite; that file drops its own copy at open.)
 *
 * No `down`: the values are not put back (an older hub would find an empty table and its history
 * would start from then); the migrator refuses to go below this one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reading_values').ifExists().execute();
}
