import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { cachedStatements } from '../statements.ts';
import type { StoreDatabase } from '../schema.ts';

/**
 * The embedded telemetry's own SQLite file, `<dataDir>/telemetry.sqlite` (SQLite only; on
 * PostgreSQL the readings tables live in the store's database, migrations 0003, 0121, 0170).
 *
 * Why a file of its own: SQLite has one write lock per file. With the readings in `hub.sqlite`,
 * every transaction of the alarm path (the rules engine's BEGIN IMMEDIATE) waited for the
 * telemetry writer's batches, synchronously, in SQLite's busy handler on the hub's event loop: at
 * 5,000 msg/s about 2 ms per transaction and tens of ms at worst (`npm run bench:rules`). Two files,
 * two locks: readings never hold up a ticket.
 *
 * One table, `readings` (the migrations' shape): history reads a field from each reading's
 * `fields` JSON (readings.ts). The narrow `reading_values` an older hub left in the file is
 * dropped at open, as migration 0200 drops it from the store's database (why: there).
 *
 * The writer thread (worker.mjs) writes the file, the hub's main thread reads it (history, dry
 * runs) through `db`.
 */
export const TELEMETRY_FILE = 'telemetry.sqlite';

const SCHEMA = `
create table if not exists readings (
  device_id text not null, message text not null, ts_ms bigint not null, seq bigint not null, rx_ms bigint not null,
  kind text not null, grid_id text not null, estate_id text not null, building_id text, unit_id text, fields text not null,
  constraint readings_pk primary key (device_id, message, ts_ms, seq));
create index if not exists readings_ts on readings (ts_ms);
create index if not exists readings_rx on readings (rx_ms);
drop table if exists reading_values;
`;

const READINGS_COLUMNS = 'device_id, message, ts_ms, seq, rx_ms, kind, grid_id, estate_id, building_id, unit_id, fields';

export interface TelemetryFile {
  file: string;
  /** The main thread's connection (reads; the schema at open). */
  connection: Database.Database;
  db: Kysely<StoreDatabase>;
}

/** Opens (creating) the telemetry file next to `hub.sqlite`. */
export function openTelemetryFile(dataDir: string, busyTimeoutMs: number): TelemetryFile {
  const file = join(dataDir, TELEMETRY_FILE);
  const connection = new Database(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  connection.pragma(`busy_timeout = ${busyTimeoutMs}`);
  connection.exec(SCHEMA);
  const database = { prepare: cachedStatements(connection), close: () => connection.close() };
  return { file, connection, db: new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database }) }) };
}

/**
 * Moves readings an older hub kept in `hub.sqlite` into the telemetry file (after the migrations,
 * which drop its `reading_values`: every value is in the readings' `fields`; once: the old table
 * stays, empty). They keep their identities, so a move cut short by a crash is simply done again,
 * without doubles.
 */
export function moveLegacyReadings(hub: Database.Database, file: string): number {
  const has = (table: string) => hub.prepare(`select 1 from sqlite_master where type = 'table' and name = ?`).get(table) !== undefined;
  if (!has('readings')) return 0;
  const { n } = hub.prepare('select count(*) as n from readings').get() as { n: number };
  if (!n) return 0;
  hub.prepare('attach database ? as telemetry').run(file);
  try {
    hub.transaction(() => {
      hub.exec(`insert or ignore into telemetry.readings (${READINGS_COLUMNS}) select ${READINGS_COLUMNS} from main.readings`);
      hub.exec('delete from main.readings');
    }).immediate();
  } finally {
    hub.exec('detach database telemetry');
  }
  return n;
}
