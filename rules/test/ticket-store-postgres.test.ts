import { createStore } from '@gridhub/store';
import { serverAvailable, startPostgres } from '@gridhub/testkit';
import { ticketStoreContract } from './ticket-store-contract.ts';

ticketStoreContract(
  'PostgreSQL',
  async () => {
    const pg = await startPostgres();
    const store = await createStore({ databaseUrl: pg.url });
    await store.migrate();
    return {
      db: store.db as never,
      async close() {
        await store.close();
        await pg.stop();
      },
    };
  },
  { skip: !serverAvailable('postgres') },
);
