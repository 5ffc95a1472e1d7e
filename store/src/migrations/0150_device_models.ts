import type { Kysely } from 'kysely';

/**
 * Uploaded codecs of device models (设备型号), owned by @gridhub/codecs: the vendor's own decoder
 * (TTN device-repository JavaScript) an admin gave a model, with the model's kind, and who and when.
 * Built-in models are code, not rows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('device_model_codecs')
    .addColumn('model_id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('vendor', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('updated_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('device_model_codecs').execute();
}
