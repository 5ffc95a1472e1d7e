import { serverAvailable, startPostgres, type Postgres } from '@gridhub/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { createStore } from '../src/index.ts';
import { storeContract } from './store-contract.ts';

describe.skipIf(!serverAvailable('postgres'))('HubStore on PostgreSQL', () => {
  let server: Postgres;
  let n = 0;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });
  storeContract({
    /** A database of its own per store, so every test starts empty (an admin connection per database: the outage cases stop the server). */
    open: async (opts = {}) => {
      const name = `store_${++n}`;
      const admin = new pg.Client({ connectionString: server.url });
      admin.on('error', () => {});
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const url = new URL(server.url);
      url.pathname = `/${name}`;
      return createStore({ databaseUrl: url.toString(), ...opts });
    },
    // The server stopped (fast shutdown: sessions cut, a transaction under way fails) and started again on its data.
    outage: {
      how: 'PostgreSQL stopped and started',
      midTransaction: true,
      of: () => ({ halt: () => server.halt(), resume: () => server.resume() }),
    },
  });
});
