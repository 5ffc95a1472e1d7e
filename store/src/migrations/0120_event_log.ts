import { PostgresAdapter, type Kysely } from 'kysely';

/**
 * The event log (outbox, core/src/events.ts): one append-only row per alert transition, ticket
 * transition, occurrence, incident and device-state change, written in the same transaction as
 * the change. `id` is monotonic (SQLite: INTEGER PRIMARY KEY AUTOINCREMENT never reuses one;
 * PostgreSQL: an identity; appends are serialised by an advisory lock so ids commit in order).
 * `cursors`: a consumer's durable position (the rules engine's place in the spool, realtime or
 * notifications' last event), written with the consumer's own effects.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('events')
    .addColumn('id', pg ? 'bigint' : 'integer', (c) => (pg ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement()))
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('grid_id', 'text')
    .addColumn('device_id', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_at').on('events').column('at_ms').execute();
  await db.schema
    .createTable('cursors')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('position', 'text', (c) => c.notNull())
    .addColumn('updated_ms', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('cursors').execute();
  await db.schema.dropTable('events').execute();
}
