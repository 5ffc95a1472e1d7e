import type { Kysely } from 'kysely';

/**
 * Devices behind a network server or carrier platform (issue 13): their model (codec) and network
 * identity — LoRaWAN DevEUI (lowercase) and the application it must arrive from, NB-IoT IMEI, a
 * platform's own device id — and further codec parameters (JSON text). The site check keeps each
 * identity unique within a site; the indexes serve lookups (not UNIQUE: a re-import that moves a
 * DevEUI from one device to another upserts row by row).
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, type] of [['model', 'text'], ['dev_eui', 'text'], ['network_app', 'text'], ['imei', 'text'], ['platform_device_id', 'text']] as const) {
    await db.schema.alterTable('devices').addColumn(name, type).execute();
  }
  await db.schema.alterTable('devices').addColumn('params', 'text', (c) => c.notNull().defaultTo('{}')).execute();
  await db.schema.createIndex('devices_dev_eui').on('devices').column('dev_eui').execute();
  await db.schema.createIndex('devices_imei').on('devices').column('imei').execute();
  await db.schema.createIndex('devices_platform_device_id').on('devices').column('platform_device_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const i of ['devices_dev_eui', 'devices_imei', 'devices_platform_device_id']) await db.schema.dropIndex(i).execute();
  for (const c of ['params', 'platform_device_id', 'imei', 'network_app', 'dev_eui', 'model']) await db.schema.alterTable('devices').dropColumn(c).execute();
}
