import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import pino from 'pino';
import type { EventLogReader, LoggedEvent, RulesEvent } from '@gridhub/core';
import { createStore, type SqlHubStore } from '@gridhub/store';
import { tempDir } from '@gridhub/testkit';
import { createNotifier, type BasePerson, type Notifier, type NotifierOptions } from '../src/index.ts';

/**
 * A real SQL-backed event log for notify's own tests (the hub's `events` table is issue 10's):
 * a table in the same SQLite file as the deliveries, ids from the database, read by cursor.
 */
export class SqlTestLog implements EventLogReader {
  readonly #listeners = new Set<() => void>();
  constructor(private readonly db: Kysely<any>) {}

  async init(): Promise<this> {
    await sql`create table if not exists test_event_log (id integer primary key autoincrement, at_ms bigint not null, body text not null)`.execute(this.db);
    return this;
  }

  async append(events: RulesEvent[], atMs = Date.now()): Promise<number[]> {
    const ids: number[] = [];
    await this.db.transaction().execute(async (tx) => {
      for (const e of events) {
        const r = await tx.insertInto('test_event_log').values({ at_ms: atMs, body: JSON.stringify(e) }).returning('id').executeTakeFirstOrThrow();
        ids.push(Number(r.id));
      }
    });
    for (const l of this.#listeners) l();
    return ids;
  }

  async readAfter(afterId: number, limit: number): Promise<LoggedEvent[]> {
    const rows = await this.db.selectFrom('test_event_log').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ id: Number(r.id), atMs: Number(r.at_ms), event: JSON.parse(String(r.body)) as RulesEvent }));
  }

  async lastId(): Promise<number> {
    const r = await this.db.selectFrom('test_event_log').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst();
    return Number(r?.m ?? 0);
  }

  async firstId(): Promise<number> {
    const r = await this.db.selectFrom('test_event_log').select((eb) => eb.fn.min('id').as('m')).executeTakeFirst();
    return Number(r?.m ?? 0);
  }

  onAppend(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

export const PEOPLE: BasePerson[] = [
  { id: 'warden-a1', name: '李娜', role: 'warden', gridId: 'ga', phone: '13800000002' },
  { id: 'leader-a', name: '王强', role: 'grid_leader', gridId: 'ga', phone: '13800000001' },
  { id: 'officer-c', name: '赵敏', role: 'community_officer', gridId: null, phone: null },
  { id: 'officer-s', name: '孙杰', role: 'street_officer', gridId: null, phone: null },
];

export const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export interface Bed {
  dir: string;
  store: SqlHubStore;
  log: SqlTestLog;
  key: Buffer;
  notifier(file: string, over?: Partial<NotifierOptions>): Promise<Notifier>;
  close(): Promise<void>;
}

/** A SQLite store (migrated), the test log and a notifier factory (a new one = a restart). */
export async function testBed(name: string, dataDir = tempDir(name)): Promise<Bed> {
  const store = await createStore({ dataDir });
  await store.migrate();
  const eventLog = await new SqlTestLog(store.db as unknown as Kysely<any>).init();
  const key = randomBytes(32);
  const open: Notifier[] = [];
  return {
    dir: dataDir,
    store,
    log: eventLog,
    key,
    async notifier(file, over = {}) {
      const n = await createNotifier({
        db: store.db as unknown as Kysely<any>,
        reader: eventLog,
        people: async () => PEOPLE,
        silences: () => [],
        where: async () => ({ estate: '和苑', building: '3号楼', unit: '1单元', floor: 5 }),
        assignees: async () => ['warden-a1'],
        log,
        secretKey: key,
        publicUrl: 'https://hub.example.cn',
        backoff: { baseMs: 200, maxMs: 5000 },
        ...over,
      });
      await n.putConfig(file, 'test');
      open.push(n);
      return n;
    },
    async close() {
      for (const n of open.splice(0)) await n.close();
      await store.close();
    },
  };
}
