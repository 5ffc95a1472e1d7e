import { sql, type Kysely } from 'kysely';
import { migrateToLatest, openDatabase, type OpenDatabase, type StoreOptions } from './db.ts';
import * as devices from './devices.ts';
import { EventLog } from './events.ts';
import * as network from './network.ts';
import * as readings from './readings.ts';
import type { StoreDatabase } from './schema.ts';
import { importSite } from './site/import.ts';
import * as state from './state.ts';
import { siteTree } from './tree.ts';
import type { HubStore } from './types.ts';
import { moveLegacyReadings } from './telemetry/file.ts';
import { TelemetryWriter } from './telemetry/writer.ts';

/** The SQL store plus its Kysely instance, for packages that keep their own tables in the same database (tickets). */
export interface SqlHubStore extends HubStore {
  readonly db: Kysely<StoreDatabase>;
  /** Where the embedded telemetry's tables are: on SQLite its own file (telemetry/file.ts), on PostgreSQL `db`. */
  readonly telemetryDb: Kysely<StoreDatabase>;
  /** The event log (outbox) in this database: writers append in their transactions, consumers read by cursor. */
  readonly eventLog: EventLog;
  /** SQLite: the embedded telemetry's writer thread (writeReadings, pruneReadings); null on PostgreSQL. */
  readonly telemetryWriter: TelemetryWriter | null;
}

/**
 * Opens the store: SQLite file `<dataDir>/hub.sqlite` (WAL, foreign keys, synchronous=NORMAL)
 * with the embedded telemetry in `<dataDir>/telemetry.sqlite`, or PostgreSQL at `databaseUrl`.
 * Migrations are applied before it is returned.
 */
export async function createStore(opts: StoreOptions): Promise<SqlHubStore> {
  const opened = openDatabase(opts);
  const { db } = opened;
  const store = bindStore(opened, opts.refusalsKeep ?? 1000);
  try {
    await store.migrate();
    if (opened.sqlite) moveLegacyReadings(opened.sqlite.connection, opened.sqlite.telemetry.file);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

function bindStore({ db, dialect, sqlite }: OpenDatabase, refusalsKeep: number): SqlHubStore {
  const eventLog = new EventLog(db, dialect);
  // SQLite: telemetry writes in a worker thread; once it runs it also checkpoints both files' WALs
  // (a checkpoint syncs the file: on the main connection it would hold the event loop).
  const writer = sqlite ? new TelemetryWriter(sqlite.telemetry.file, sqlite.file, () => sqlite.connection.pragma('wal_autocheckpoint = 0')) : null;
  const tdb = sqlite?.telemetry.db ?? db;
  const streetId = async () => (await db.selectFrom('streets').select('id').limit(1).executeTakeFirst())?.id ?? null;
  return {
    db,
    telemetryDb: tdb,
    dialect,
    eventLog,
    migrate: () => migrateToLatest(db),
    telemetryWriter: writer,
    close: async () => {
      await writer?.terminate();
      await db.destroy();
      if (sqlite) await sqlite.telemetry.db.destroy();
    },
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    streetId,
    isEmpty: async () => (await streetId()) === null,
    importSite: (site) => importSite(db, site, (tx) => eventLog.joined(tx)),
    siteTree: () => siteTree(db),
    allDeviceInfo: () => devices.allDeviceInfo(db),
    deviceInfo: (id) => devices.deviceInfo(db, id),
    listDevices: (filter) => devices.listDevices(db, filter),
    deviceSecretHash: (id) => devices.deviceSecretHash(db, id),
    listWardens: (gridId) => devices.listWardens(db, gridId),
    listOfficers: (placeId) => devices.listOfficers(db, placeId),
    gridIdsIn: (place) => devices.gridIdsIn(db, place),
    upsertDeviceStates: (patches) => state.upsertDeviceStates(db, dialect, patches, eventLog),
    deviceState: (id) => state.deviceState(db, id),
    deviceStates: (ids) => state.deviceStates(db, ids),
    recordRefusals: (refusals) => state.recordRefusals(db, refusals, refusalsKeep),
    listRefusals: (filter) => state.listRefusals(db, filter),
    countRefusals: (filter) => state.countRefusals(db, filter),
    recordUnclaimed: (sightings) => network.recordUnclaimed(db, sightings),
    listUnclaimed: (filter) => network.listUnclaimed(db, filter),
    recordUplinkKeys: (keys) => network.recordUplinkKeys(db, keys),
    recentUplinkKeys: (sinceMs, limit) => network.recentUplinkKeys(db, sinceMs, limit),
    pruneUplinkKeys: (olderThanMs) => network.pruneUplinkKeys(db, olderThanMs),
    writeReadings: (batch) => (writer ? writer.write(batch) : readings.writeReadings(tdb, batch)),
    queryReadings: (q) => readings.queryReadings(tdb, q, dialect),
    listReadings: (q) => readings.listReadings(tdb, q),
    countReadings: (filter) => readings.countReadings(tdb, filter),
    pruneReadings: (olderThanMs) => (writer ? writer.prune(olderThanMs) : readings.pruneReadings(tdb, olderThanMs)),
  };
}
