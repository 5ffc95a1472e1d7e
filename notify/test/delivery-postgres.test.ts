import { afterAll, beforeAll } from 'vitest';
import { serverAvailable, startPostgres, type Postgres } from '@gridhub/testkit';
import { deliverySuite } from './delivery-contract.ts';

/** The same delivery suite on a real PostgreSQL (one server, a fresh database per test). */
const available = serverAvailable('postgres');
let pg: Postgres | null = null;
beforeAll(async () => {
  if (available) pg = await startPostgres();
});
afterAll(async () => pg?.stop());
deliverySuite('PostgreSQL', { postgresUrl: () => pg!.url, skip: !available });
