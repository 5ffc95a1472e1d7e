import { serverAvailable, startPostgres, type Postgres } from '@gridhub/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { createStore } from '../src/index.ts';
import { storeContract } from './store-contract.ts';

describe.skipIf(!serverAvailable('postgres'))('HubStore on PostgreSQL', () => {
  let server: Postgres;
  let admin: pg.Client;
  let n = 0;
  beforeAll(async () => {
    server = await startPostgres();
    admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await server?.stop();
  });
  storeContract({
    /** A database of its own per store, so every test starts empty. */
    open: async (opts = {}) => {
      const name = `store_${++n}`;
      await admin.query(`CREATE DATABASE ${name}`);
      const url = new URL(server.url);
      url.pathname = `/${name}`;
      return createStore({ databaseUrl: url.toString(), ...opts });
    },
  });
});
