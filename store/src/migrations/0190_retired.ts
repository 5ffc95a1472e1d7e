import type { Kysely } from 'kysely';

/** The site tables that a node can be retired from (撤销), keeping the row, its history and its tickets. */
const TABLES = ['communities', 'grids', 'estates', 'buildings', 'units', 'devices', 'wardens'] as const;

/**
 * Retire is a state, not a delete: `retired_at` (ISO time, null while active) and `retired_by`
 * (the user). Readers of live screens, counts, device credentials and the ingest cache skip
 * retired rows; an admin may restore one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const t of TABLES) {
    await db.schema.alterTable(t).addColumn('retired_at', 'text').execute();
    await db.schema.alterTable(t).addColumn('retired_by', 'text').execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of TABLES) {
    await db.schema.alterTable(t).dropColumn('retired_by').execute();
    await db.schema.alterTable(t).dropColumn('retired_at').execute();
  }
}
