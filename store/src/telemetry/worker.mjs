// The embedded telemetry's SQLite writer, in its own thread (store/src/telemetry/writer.ts starts it).
// better-sqlite3 is synchronous: a batch of readings written on the hub's main thread holds its
// event loop (the broker, the rules engine, the screens) for tens of milliseconds. Here it holds
// only this thread. It writes telemetry.sqlite (a file of its own, so the store's transactions
// never wait for its lock; WAL: the main thread reads meanwhile). It also runs the WAL
// checkpoints of both files, which the main thread's connections leave alone while this writer
// runs (each one syncs a database file).
// Plain JavaScript: a worker thread starts without the TypeScript loader the hub's sources use.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { lowerThreadPriority } from '@gridhub/core/thread-priority';
import { readingRow } from './rows.mjs';

// Telemetry storage yields the CPU to the hub's main thread (the broker, the alarm path, the
// screens) when the machine is short of it: a reading waits safely in the spool, an alarm should
// not wait behind it. At 5,000 msg/s on two cores this thread needs about 15 % of one.
lowerThreadPriority(10);

const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 10000');
// A checkpoint copies the WAL into the file and syncs both; each sync writes out everything the
// checkpoint wrote. Every 10,000 pages (40 MB) those syncs took 40-100 ms, and the spool's own
// small synced writes (what a PUBACK and an alarm wait for) waited behind them on the disk: the
// slowest alarms of `npm run bench:rules` were exactly those. Every 2,000 pages (8 MB, about two
// of the drain's batches, which come at most twice a second: ingest's drainLingerMs) a sync
// takes 15-45 ms and the spool's writes at most about 25 ms.
db.pragma('wal_autocheckpoint = 2000');
db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);

// The store's file: this connection only checkpoints it (PASSIVE: never waits for, nor holds up,
// the main thread's writes), about twice a second.
const store = new Database(workerData.checkpointFile);
store.pragma('busy_timeout = 0');
const checkpoint = setInterval(() => {
  try {
    store.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy (another checkpoint) or the file away: the next one tries again
  }
}, 500);
checkpoint.unref();

const insertReading = db.prepare(
  'insert into readings (device_id, message, ts_ms, seq, rx_ms, kind, grid_id, estate_id, building_id, unit_id, fields) ' +
    'values (@device_id, @message, @ts_ms, @seq, @rx_ms, @kind, @grid_id, @estate_id, @building_id, @unit_id, @fields) on conflict do nothing',
);
/** One transaction per write: all of its rows or none (idempotent, so a retry after a failure is safe). */
const write = db.transaction((parts) => {
  for (const part of parts) {
    for (const r of part) insertReading.run(readingRow(r));
  }
});
/** A write's readings come in parts under its id (writer.ts); its `write` message commits them all. */
const parts = new Map();
const PRUNE_CHUNK = 5000;
const pruneReadings = db.prepare(`delete from readings where rowid in (select rowid from readings where rx_ms < ? limit ${PRUNE_CHUNK})`);

/** Retention in chunks of short transactions: the WAL grows by one chunk at a time, not by all that is deleted. */
function prune(olderThanMs) {
  let deleted = 0;
  for (let n = PRUNE_CHUNK; n === PRUNE_CHUNK; deleted += n) n = pruneReadings.run(olderThanMs).changes;
  return deleted;
}

parentPort.on('message', (m) => {
  if (m.op === 'part') {
    parts.set(m.id, [...(parts.get(m.id) ?? []), m.readings]);
    return;
  }
  try {
    if (m.op === 'write') {
      const list = parts.get(m.id) ?? [];
      parts.delete(m.id);
      list.push(m.readings);
      write.immediate(list);
    }
    const value = m.op === 'prune' ? prune(m.olderThanMs) : m.op === 'ping' ? db.prepare('select 1').get() && null : null;
    parentPort.postMessage({ id: m.id, ok: true, value });
  } catch (err) {
    parentPort.postMessage({ id: m.id, ok: false, message: err instanceof Error ? err.message : String(err), code: err?.code ?? null });
  }
});
