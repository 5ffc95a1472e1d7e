import type { Kysely } from 'kysely';

/**
 * Rules configuration edited through the API (owned by @gridhub/rules): the rule-set file as
 * last saved (YAML text; the defaults apply while there is none) and silences / maintenance
 * windows per device, building or estate.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rule_sets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('updated_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('silences')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('estate_id', 'text')
    .addColumn('building_id', 'text')
    .addColumn('device_id', 'text')
    .addColumn('rule_ids', 'text')
    .addColumn('from_ms', 'bigint', (c) => c.notNull())
    .addColumn('to_ms', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('silences_to').on('silences').column('to_ms').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('silences').execute();
  await db.schema.dropTable('rule_sets').execute();
}
