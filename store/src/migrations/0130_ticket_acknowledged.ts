import type { Kysely } from 'kysely';

/**
 * `tickets.acknowledged_ms` / `acknowledged_by`: when a person in the control room took the alarm
 * (接警) and who. Apart from dispatch: an alarm dispatched automatically still sounds on the desk
 * until someone acknowledges it. Time to acknowledge is a KPI.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tickets').addColumn('acknowledged_ms', 'bigint').execute();
  await db.schema.alterTable('tickets').addColumn('acknowledged_by', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tickets').dropColumn('acknowledged_by').execute();
  await db.schema.alterTable('tickets').dropColumn('acknowledged_ms').execute();
}
