import { rmSync } from 'node:fs';
import { tempDir } from '@gridhub/testkit';
import { afterAll, describe } from 'vitest';
import { createStore } from '../src/index.ts';
import { storeContract } from './store-contract.ts';

describe('HubStore on SQLite', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  storeContract({
    open: async (opts = {}) => {
      const dir = tempDir('store');
      dirs.push(dir);
      return createStore({ dataDir: dir, ...opts });
    },
  });
});
