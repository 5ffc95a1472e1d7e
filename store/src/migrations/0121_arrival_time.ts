import { sql, type Kysely } from 'kysely';

/**
 * Device clocks are evidence, not authority (docs/protocol.md "Time"):
 * - `tickets.clock_suspect`: an alarm of this ticket came with an implausible device clock (0 / 1).
 * - embedded telemetry ages by arrival: `reading_values.rx_ms` (older rows get their `ts_ms`) and
 *   an index on each table's `rx_ms` for the retention prune.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tickets').addColumn('clock_suspect', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('reading_values').addColumn('rx_ms', 'bigint').execute();
  await sql`update reading_values set rx_ms = ts_ms where rx_ms is null`.execute(db);
  await db.schema.createIndex('readings_rx').on('readings').column('rx_ms').execute();
  await db.schema.createIndex('reading_values_rx').on('reading_values').column('rx_ms').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('reading_values_rx').execute();
  await db.schema.dropIndex('readings_rx').execute();
  await db.schema.alterTable('reading_values').dropColumn('rx_ms').execute();
  await db.schema.alterTable('tickets').dropColumn('clock_suspect').execute();
}
