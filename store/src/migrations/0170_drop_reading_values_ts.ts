import type { Kysely } from 'kysely';

/**
 * `reading_values_ts` served the retention prune by device time; retention goes by arrival time
 * (0121, `reading_values_rx`) and history reads use the primary key (device, field, ts). The
 * index only cost every telemetry write a third B-tree update on the largest table.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('reading_values_ts').ifExists().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('reading_values_ts').on('reading_values').column('ts_ms').execute();
}
