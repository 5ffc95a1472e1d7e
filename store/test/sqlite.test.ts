import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '@gridhub/testkit';
import { afterAll, describe } from 'vitest';
import { createStore, type SqlHubStore } from '../src/index.ts';
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
