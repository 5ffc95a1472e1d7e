import type { Kysely } from 'kysely';

/**
 * The site hierarchy, stored flat: street -> community -> grid -> estate -> building -> unit,
 * devices (placed in an estate, optionally a building/unit/floor/elevator or a position) and
 * wardens (per grid). Portable column types only: text, integer, bigint, double precision.
 * A device keeps only the scrypt hash of its secret.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('streets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('communities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('street_id', 'text', (c) => c.notNull().references('streets.id'))
    .execute();
  await db.schema
    .createTable('grids')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('community_id', 'text', (c) => c.notNull().references('communities.id'))
    .execute();
  await db.schema
    .createTable('estates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('grid_id', 'text', (c) => c.notNull().references('grids.id'))
    .addColumn('width_m', 'double precision', (c) => c.notNull())
    .addColumn('height_m', 'double precision', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('buildings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('estate_id', 'text', (c) => c.notNull().references('estates.id'))
    .addColumn('floors', 'integer', (c) => c.notNull())
    .addColumn('x', 'double precision', (c) => c.notNull())
    .addColumn('y', 'double precision', (c) => c.notNull())
    .addColumn('w', 'double precision')
    .addColumn('h', 'double precision')
    .execute();
  await db.schema
    .createTable('units')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('building_id', 'text', (c) => c.notNull().references('buildings.id'))
    /** JSON array of elevator ids (an elevator is only ever referenced by id). */
    .addColumn('elevators', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema
    .createTable('devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('estate_id', 'text', (c) => c.notNull().references('estates.id'))
    .addColumn('building_id', 'text', (c) => c.references('buildings.id'))
    .addColumn('unit_id', 'text', (c) => c.references('units.id'))
    .addColumn('floor', 'integer')
    .addColumn('elevator_id', 'text')
    .addColumn('x', 'double precision')
    .addColumn('y', 'double precision')
    .addColumn('installed_at', 'text')
    .addColumn('bin_depth_mm', 'integer')
    .addColumn('sensor_offset_mm', 'integer')
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('wardens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('grid_id', 'text', (c) => c.notNull().references('grids.id'))
    .execute();
  await db.schema.createIndex('devices_estate_kind').on('devices').columns(['estate_id', 'kind']).execute();
  await db.schema.createIndex('devices_building').on('devices').column('building_id').execute();
  await db.schema.createIndex('devices_kind').on('devices').column('kind').execute();
  await db.schema.createIndex('estates_grid').on('estates').column('grid_id').execute();
  await db.schema.createIndex('wardens_grid').on('wardens').column('grid_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['wardens', 'devices', 'units', 'buildings', 'estates', 'grids', 'communities', 'streets']) {
    await db.schema.dropTable(t).execute();
  }
}
