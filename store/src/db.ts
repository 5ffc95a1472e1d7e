import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { MIGRATIONS } from './migrations/index.ts';
import type { StoreDatabase } from './schema.ts';
import { cachedStatements } from './statements.ts';
import { openTelemetryFile, type TelemetryFile } from './telemetry/file.ts';

/**
 * Where the store is; `refusalsKeep`: refusal rows kept per device (default 1000; counts stay
 * whole); `busyTimeoutMs` (SQLite): how long a write waits for a lock another process holds
 * before it fails as store-unavailable (default 5,000).
 */
export type StoreOptions = ({ dataDir: string } | { databaseUrl: string }) & { refusalsKeep?: number; busyTimeoutMs?: number };
export type SqlDialectName = 'sqlite' | 'postgres';

/** Most bound parameters one statement may carry on either dialect (SQLite's default is 32766). */
export const MAX_PARAMS = 30_000;

const PG_INT8 = 20;
const PG_NUMERIC = 1700;

/**
 * Per-pool type parsers: BIGINT and NUMERIC (counts, epoch ms) come back as numbers. Epoch ms and
 * counts stay far below 2^53. The global pg.types registry is left alone.
 */
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === PG_INT8 || oid === PG_NUMERIC ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * The open database; on SQLite also its file and main connection, and the embedded telemetry's
 * own file (telemetry/file.ts: readings in `hub.sqlite` would share its one write lock).
 */
export interface OpenDatabase {
  db: Kysely<StoreDatabase>;
  dialect: SqlDialectName;
  sqlite?: { file: string; connection: Database.Database; telemetry: TelemetryFile };
}

export function openDatabase(opts: StoreOptions): OpenDatabase {
  if ('databaseUrl' in opts) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10, types: pgTypes });
    // An idle client losing its server emits 'error' on the pool, which would kill the process
    // unhandled; the pool drops that client and the next query reports the failure to its caller.
    pool.on('error', () => {});
    // A client checked out (in a query or a transaction) when the server goes away emits 'error'
    // too, besides failing its query: without a listener that would kill the process.
    pool.on('connect', (client) => client.on('error', () => {}));
    return { db: new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' };
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const file = join(opts.dataDir, 'hub.sqlite');
  const sqlite = new Database(file);
  const busyTimeoutMs = Math.max(0, Math.round(opts.busyTimeoutMs ?? 5000));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
  // Transactions take the write lock at BEGIN: another connection (a backup, an admin's sqlite3
  // shell) may commit between them, and a deferred transaction that read first would then fail
  // with SQLITE_BUSY_SNAPSHOT instead of waiting for the lock.
  const prepare = cachedStatements(sqlite);
  const database = { prepare: (q: string) => prepare(q === 'begin' ? 'begin immediate' : q), close: () => sqlite.close() };
  const telemetry = openTelemetryFile(opts.dataDir, busyTimeoutMs);
  return { db: new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database }) }), dialect: 'sqlite', sqlite: { file, connection: sqlite, telemetry } };
}

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export async function migrateToLatest(db: Kysely<StoreDatabase>): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Splits rows so that one statement never binds more than MAX_PARAMS parameters. */
export function chunkRows<T>(rows: readonly T[], paramsPerRow: number): T[][] {
  const size = Math.max(1, Math.floor(MAX_PARAMS / Math.max(1, paramsPerRow)));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
