import type { Kysely } from 'kysely';

/**
 * Device state (one row per device, written by ingest ~1/s in batches) and refused messages.
 * `latest` is a JSON object text (merged key by key on update); `connected` is 0/1 (portable).
 * Refusals have no foreign key: a message from an unknown device is recorded as given.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('device_state')
    .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.id').onDelete('cascade'))
    .addColumn('last_seen_ms', 'bigint')
    .addColumn('connected', 'integer')
    .addColumn('battery_pct', 'double precision')
    .addColumn('latest', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('latest_ts_ms', 'bigint')
    .addColumn('last_event', 'text')
    .addColumn('last_event_ms', 'bigint')
    .addColumn('refused_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('refusals')
    .addColumn('rx_ms', 'bigint', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text')
    .addColumn('client_id', 'text')
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('head', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('refusals_rx').on('refusals').column('rx_ms').execute();
  await db.schema.createIndex('refusals_device_rx').on('refusals').columns(['device_id', 'rx_ms']).execute();
  await db.schema.createIndex('refusals_code_rx').on('refusals').columns(['code', 'rx_ms']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('refusals').execute();
  await db.schema.dropTable('device_state').execute();
}
