import { HubError, type Refusal, type SiteFile } from '@gridhub/core';
import { expect } from 'vitest';
import type { SqlHubStore } from '../../src/index.ts';

export interface StoreHarness {
  /** A fresh, migrated, empty store. */
  open(opts?: StoreOpenOptions): Promise<SqlHubStore>;
  /** How a store is taken away and brought back (absent: the outage cases are skipped, and say so). */
  outage?: StoreOutage;
}

export type StoreOpenOptions = { refusalsKeep?: number; busyTimeoutMs?: number };

export interface StoreOutage {
  /** What the outage is, for the test names. */
  how: string;
  /** Whether it can strike inside a transaction already under way (else it starts before one). */
  midTransaction: boolean;
  of(store: SqlHubStore): { halt(): Promise<void>; resume(): Promise<void> };
}

/** What each concern's cases get: stores that are closed after the suite, the demo site. */
export interface ContractContext {
  harness: StoreHarness;
  /** A fresh store (closed after the suite). */
  fresh(): Promise<SqlHubStore>;
  /** The same with options. */
  open(opts: StoreOpenOptions): Promise<SqlHubStore>;
  /** The demo site file (loaded before the cases run). */
  demo: SiteFile;
}

export const TABLES = ['streets', 'communities', 'grids', 'estates', 'buildings', 'units', 'devices', 'wardens', 'device_state', 'refusals', 'readings'] as const;

export async function dumpAll(store: SqlHubStore): Promise<string> {
  const parts: string[] = [];
  for (const t of TABLES) parts.push(JSON.stringify(await store.db.selectFrom(t).selectAll().execute()));
  return parts.join('\n');
}

export async function rowCounts(store: SqlHubStore): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    const r = await store.db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    out[t] = Number(r.n);
  }
  return out;
}

export function refusal(deviceId: string | null, rxMs: number, code = 'HUB_ERR_PAYLOAD_JSON'): Refusal {
  return { topic: `v1/bin/${deviceId ?? 'x'}/telemetry`, deviceId, clientId: deviceId, code, reason: 'bad', head: '{oops', bytes: 5, rxMs };
}

export async function expectSiteInvalid(p: Promise<unknown>): Promise<{ path: string; reason: string }[]> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(HubError);
  expect((err as HubError).code).toBe('HUB_ERR_SITE_INVALID');
  return (err as HubError).details as { path: string; reason: string }[];
}
