import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import type { HubEvent } from '@gridhub/core';
import { createStore, type SqlHubStore } from '@gridhub/store';
import { tempDir } from '@gridhub/testkit';
import { createNotifier, type BasePerson, type Notifier, type NotifierOptions } from '../src/index.ts';

export const PEOPLE: BasePerson[] = [
  { id: 'warden-a1', name: '李娜', role: 'warden', gridId: 'ga', phone: '13800000002' },
  { id: 'leader-a', name: '王强', role: 'grid_leader', gridId: 'ga', phone: '13800000001' },
  { id: 'officer-c', name: '赵敏', role: 'community_officer', gridId: null, phone: null },
  { id: 'officer-s', name: '孙杰', role: 'street_officer', gridId: null, phone: null },
];

export const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** Commits events to the hub's event log, one transaction, as the rules engine does. */
export interface TestLog {
  append(events: HubEvent[]): Promise<void>;
}

export interface Bed {
  dir: string;
  store: SqlHubStore;
  log: TestLog;
  key: Buffer;
  notifier(file: string, over?: Partial<NotifierOptions>): Promise<Notifier>;
  close(): Promise<void>;
}

/** A fresh database on the PostgreSQL server at `serverUrl` (one per bed). */
async function freshDatabase(serverUrl: string, name: string): Promise<string> {
  const db = `${name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(`create database ${db}`);
  await client.end();
  return serverUrl.replace(/\/[^/]*$/, `/${db}`);
}

/**
 * A migrated store (SQLite in a temp dir, or a fresh PostgreSQL database), the hub's real event
 * log (the `events` table, written in one transaction per append) and a notifier factory (a new
 * notifier on the same database = a restart).
 */
export async function testBed(name: string, opts: { postgresUrl?: string } = {}): Promise<Bed> {
  const dataDir = tempDir(name);
  const store = await createStore(opts.postgresUrl ? { databaseUrl: await freshDatabase(opts.postgresUrl, name) } : { dataDir });
  await store.migrate();
  const eventLog: TestLog = {
    append: (events) => store.eventLog.transaction(async (_tx, record) => void events.forEach(record)),
  };
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
        reader: store.eventLog,
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
