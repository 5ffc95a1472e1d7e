/**
 * ONE suite every HubStore backend must pass (aedes-persistence's abstract.js is the model):
 * run by sqlite.test.ts (temp dir) and postgres.test.ts (a real PostgreSQL from testkit). The
 * cases are cut by concern in ./contract/.
 */
import { afterAll, beforeAll } from 'vitest';
import { DEMO_SITE_PATH, loadSiteFile, type SqlHubStore } from '../src/index.ts';
import { devicesContract } from './contract/devices.ts';
import { eventLogContract } from './contract/events.ts';
import type { ContractContext, StoreHarness } from './contract/harness.ts';
import { outageContract } from './contract/outage.ts';
import { refusalsContract } from './contract/refusals.ts';
import { retiredContract } from './contract/retired.ts';
import { siteContract } from './contract/site.ts';
import { telemetryContract } from './contract/telemetry.ts';

export type { StoreHarness } from './contract/harness.ts';

export function storeContract(harness: StoreHarness): void {
  const opened: SqlHubStore[] = [];
  const open = async (opts?: Parameters<StoreHarness['open']>[0]) => {
    const s = await harness.open(opts);
    opened.push(s);
    return s;
  };
  const ctx: ContractContext = { harness, fresh: () => open(), open, demo: undefined as never };
  beforeAll(async () => {
    ctx.demo = await loadSiteFile(DEMO_SITE_PATH);
  });
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
  });
  siteContract(ctx);
  devicesContract(ctx);
  refusalsContract(ctx);
  telemetryContract(ctx);
  eventLogContract(ctx);
  outageContract(ctx);
  retiredContract(ctx);
}
