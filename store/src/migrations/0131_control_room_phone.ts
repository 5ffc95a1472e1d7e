import type { Kysely } from 'kysely';

/** `streets.control_room_phone`: the control room's number, from the site file, for the wardens' phones. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('streets').addColumn('control_room_phone', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('streets').dropColumn('control_room_phone').execute();
}
