import type { Kysely } from 'kysely';

/**
 * Officers (社区干部, 街道干部) from the site file, and the place a community or street officer's
 * login covers: `users.community_id` / `users.street_id`. Escalations name these people.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('officers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('place_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('officers_place').on('officers').column('place_id').execute();
  await db.schema.alterTable('users').addColumn('community_id', 'text').execute();
  await db.schema.alterTable('users').addColumn('street_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('street_id').execute();
  await db.schema.alterTable('users').dropColumn('community_id').execute();
  await db.schema.dropTable('officers').execute();
}
