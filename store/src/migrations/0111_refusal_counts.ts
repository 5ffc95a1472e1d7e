import { sql, type Kysely } from 'kysely';

/**
 * Refusals are bounded (issue 9): the latest N rows per device are kept, the counts by device and
 * reason stay whole here. Filled from the rows there are when it runs.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('refusal_counts')
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('refusal_counts_pk', ['device_id', 'code'])
    .execute();
  await sql`insert into refusal_counts (device_id, code, n) select coalesce(device_id, ''), code, count(*) from refusals group by coalesce(device_id, ''), code`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('refusal_counts').execute();
}
