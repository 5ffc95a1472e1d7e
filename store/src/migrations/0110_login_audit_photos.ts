import type { Kysely } from 'kysely';

/**
 * Issue 9 (trust at the door): the login audit (one row per attempt, aged out after
 * HUB_LOGIN_AUDIT_DAYS) and resolution photos kept by the hub (metadata here, bytes in the photo
 * store under HUB_DATA_DIR). A photo belongs to one ticket and is served only to who sees it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('login_audit')
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_audit_at').on('login_audit').column('at_ms').execute();

  await db.schema
    .createTable('photos')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addColumn('location_kept', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('photos_ticket').on('photos').column('ticket_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('photos').execute();
  await db.schema.dropTable('login_audit').execute();
}
