import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '@gridhub/testkit';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore, readCursor, writeCursor, type SqlHubStore } from '../src/index.ts';
import { cachedStatements } from '../src/statements.ts';
import { reading } from './fixtures.ts';
import { storeContract } from './store-contract.ts';

describe('HubStore on SQLite', () => {
  const dirs: string[] = [];
  const dirOf = new WeakMap<SqlHubStore, string>();
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  storeContract({
    open: async (opts = {}) => {
      const dir = tempDir('store');
      dirs.push(dir);
      const store = await createStore({ dataDir: dir, ...opts });
      dirOf.set(store, dir);
      return store;
    },
    // SQLite's outage: another process holds the file's write lock (a backup, a stuck tool);
    // writers wait busy_timeout, then fail with SQLITE_BUSY. It cannot strike a transaction
    // already under way: that one holds the lock (BEGIN IMMEDIATE), and a file made unreadable
    // under an open connection keeps being written through its descriptor.
    outage: {
      how: 'SQLite: the write lock held by another connection',
      midTransaction: false,
      of(store) {
        let other: Database.Database | null = null;
        return {
          halt: async () => {
            other = new Database(join(dirOf.get(store)!, 'hub.sqlite'));
            other.exec('BEGIN EXCLUSIVE');
          },
          resume: async () => {
            other?.exec('COMMIT');
            other?.close();
            other = null;
          },
        };
      },
    },
  });
});

describe('the embedded telemetry in a file of its own', () => {
  it('never holds up a store transaction: its write lock held, the store writes at once', async () => {
    const dir = tempDir('store-telemetry-lock');
    const store = await createStore({ dataDir: dir });
    try {
      const other = new Database(join(dir, 'telemetry.sqlite'));
      other.exec('BEGIN EXCLUSIVE'); // what a long telemetry batch does to the file
      let stored = false;
      const write = store.writeReadings([reading('bin-a', 1_000, 1, { distance_mm: 1 })]).then(() => void (stored = true));
      try {
        const t = performance.now();
        await store.db.transaction().execute((tx) => writeCursor(tx, 'probe', { at: 1 }, Date.now()));
        expect(performance.now() - t).toBeLessThan(250); // in one file: it waited for the readings' lock
        expect(await readCursor(store.db, 'probe')).toEqual({ at: 1 });
        await new Promise((r) => setTimeout(r, 300));
        expect(stored).toBe(false); // the lock held is the readings' one
      } finally {
        other.exec('COMMIT');
        other.close();
      }
      await write;
      expect(await store.countReadings({})).toBe(1);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.runIf(process.platform === 'linux')('writes in a thread at nice 10: the main thread (the alarm path) goes first when the cores are short', async () => {
    const dir = tempDir('store-telemetry-nice');
    const store = await createStore({ dataDir: dir });
    /** This process's threads at a nice value (field 19 of /proc/self/task/<tid>/stat). */
    const threadsAt = (nice: number) =>
      readdirSync('/proc/self/task').filter((tid) => {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) === nice;
      }).length;
    try {
      const before = threadsAt(10);
      await store.writeReadings([reading('bin-n', 1_000, 1, { distance_mm: 1 })]); // the writer thread starts
      expect(threadsAt(10)).toBe(before + 1);
      expect(await store.countReadings({ deviceId: 'bin-n' })).toBe(1);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an older telemetry.sqlite: its reading_values is dropped at open, its readings and their history kept', async () => {
    const dir = tempDir('store-telemetry-upgrade');
    const old = new Database(join(dir, 'telemetry.sqlite'));
    old.exec(`create table readings (device_id text not null, message text not null, ts_ms bigint not null, seq bigint not null, rx_ms bigint not null,
      kind text not null, grid_id text not null, estate_id text not null, building_id text, unit_id text, fields text not null,
      constraint readings_pk primary key (device_id, message, ts_ms, seq));
      create table reading_values (device_id text not null, field text not null, ts_ms bigint not null, message text not null, seq bigint not null,
      value double precision not null, rx_ms bigint, constraint reading_values_pk primary key (device_id, field, ts_ms, message, seq))`);
    const put = old.prepare('insert into readings values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const value = old.prepare('insert into reading_values values (?, ?, ?, ?, ?, ?, ?)');
    for (let i = 0; i < 20; i++) {
      put.run('bin-up', 'telemetry', 60_000 * i, i, 60_000 * i, 'bin', 'g1', 'e1', null, null, JSON.stringify({ distance_mm: i, tilted: i % 2 === 0 }));
      value.run('bin-up', 'distance_mm', 60_000 * i, 'telemetry', i, i, 60_000 * i);
    }
    old.close();
    const store = await createStore({ dataDir: dir });
    try {
      const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(store.telemetryDb);
      expect(tables.rows.map((r) => r.name)).toEqual(['readings']);
      expect(await store.countReadings({ deviceId: 'bin-up' })).toBe(20);
      const all = { deviceId: 'bin-up', fromMs: 0, toMs: 60_000 * 20, maxPoints: 1 };
      expect((await store.queryReadings({ ...all, field: 'distance_mm' })).points[0]!.value).toBeCloseTo(9.5, 9);
      expect((await store.queryReadings({ ...all, field: 'tilted' })).points[0]!.value).toBeCloseTo(0.5, 9);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes over the readings an older hub kept in hub.sqlite, once, without doubles', async () => {
    const dir = tempDir('store-telemetry-move');
    let store = await createStore({ dataDir: dir });
    await store.close();
    // An older hub: its readings in hub.sqlite (same tables, same identities).
    const old = new Database(join(dir, 'hub.sqlite'));
    const put = old.prepare('insert into readings (device_id, message, ts_ms, seq, rx_ms, kind, grid_id, estate_id, building_id, unit_id, fields) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    for (let i = 0; i < 30; i++) {
      put.run('bin-old', 'telemetry', 60_000 * i, i, 60_000 * i + 5, 'bin', 'g1', 'e1', null, null, JSON.stringify({ distance_mm: i }));
    }
    old.close();
    store = await createStore({ dataDir: dir });
    try {
      await store.writeReadings([reading('bin-old', 60_000 * 29, 29, { distance_mm: 29 })]); // one it already has
      expect(await store.countReadings({ deviceId: 'bin-old' })).toBe(30);
      const h = await store.queryReadings({ deviceId: 'bin-old', field: 'distance_mm', fromMs: 0, toMs: 60_000 * 30 - 1, maxPoints: 1 });
      expect(h.points[0]!.value).toBeCloseTo(14.5, 9);
      const left = await sql<{ n: number }>`select count(*) as n from readings`.execute(store.db);
      expect(Number(left.rows[0]!.n)).toBe(0);
      const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name like 'reading%'`.execute(store.telemetryDb);
      expect(tables.rows.map((r) => r.name)).toEqual(['readings']); // the values are in the readings' fields
    } finally {
      await store.close();
    }
    store = await createStore({ dataDir: dir }); // reopened: nothing moves twice
    try {
      expect(await store.countReadings({ deviceId: 'bin-old' })).toBe(30);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('prepared statements kept', () => {
  it('keeps short statements (prepared once) and never long ones', () => {
    const db = new Database(':memory:');
    db.exec('create table t (id integer primary key)');
    let prepared = 0;
    const counting = new Proxy(db, { get: (t, k) => (k === 'prepare' ? (q: string) => (prepared++, t.prepare(q)) : Reflect.get(t, k)) });
    const prepare = cachedStatements(counting, 3, 100);
    const short = prepare('select id from t where id = ?');
    expect(prepare('select id from t where id = ?')).toBe(short);
    const long = `select id from t where id in (${Array(60).fill('?').join(', ')})`;
    expect(prepare(long)).not.toBe(prepare(long));
    for (const n of [1, 2, 3]) prepare(`select ${n}`); // evicts the least recently used
    expect(prepare('select id from t where id = ?')).not.toBe(short);
    expect(prepared).toBe(1 + 2 + 3 + 1);
    db.close();
  });
});
