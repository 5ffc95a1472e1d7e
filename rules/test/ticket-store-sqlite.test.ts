import { rmSync } from 'node:fs';
import { createStore } from '@gridhub/store';
import { tempDir } from '@gridhub/testkit';
import { ticketStoreContract } from './ticket-store-contract.ts';

ticketStoreContract('SQLite file', async () => {
  const dir = tempDir('rules-sqlite');
  const store = await createStore({ dataDir: dir });
  await store.migrate();
  return {
    db: store.db as never,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
