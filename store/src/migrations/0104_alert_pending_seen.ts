import type { Kysely } from 'kysely';

/**
 * `alert_states.pending_seen_ms`: when the hub saw an alert go pending, on the hub's clock. The
 * tick measures a rule's `for` from it, so a device whose clock is behind, or a replayed
 * backlog, never fires early (rules/src/alert/step.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('alert_states').addColumn('pending_seen_ms', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('alert_states').dropColumn('pending_seen_ms').execute();
}
