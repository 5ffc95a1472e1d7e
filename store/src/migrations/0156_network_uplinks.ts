import type { Kysely } from 'kysely';

/**
 * What network uplinks need besides the readings (issue 13):
 * - `device_state.radio`: RSSI, SNR, gateway of the last uplink (JSON text);
 * - `unclaimed_devices`: identities that sent uplinks but are in no device of the site, one row
 *   per (network, identity type, identity) with first/last seen and a count, for an admin to claim;
 * - `uplink_seen`: keys of uplinks already spooled (ChirpStack deduplicationId, CTWing
 *   upPacketSN, ...), so a network server's redelivery is acknowledged without a second reading.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('device_state').addColumn('radio', 'text').execute();
  await db.schema
    .createTable('unclaimed_devices')
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('identity_type', 'text', (c) => c.notNull())
    .addColumn('identity', 'text', (c) => c.notNull())
    .addColumn('first_seen_ms', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_ms', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('unclaimed_devices_pk', ['network', 'identity_type', 'identity'])
    .execute();
  await db.schema
    .createTable('uplink_seen')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('seen_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('uplink_seen_ms').on('uplink_seen').column('seen_ms').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('uplink_seen').execute();
  await db.schema.dropTable('unclaimed_devices').execute();
  await db.schema.alterTable('device_state').dropColumn('radio').execute();
}
