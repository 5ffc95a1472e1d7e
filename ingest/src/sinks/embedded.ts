import type { Reading } from '@gridhub/core';
import type { HistoryQuery, HistoryResult, HubStore } from '@gridhub/store';
import type { TelemetrySink } from '../types.ts';
import { consoleLogger, type SpoolLogger } from '../spool/spool.ts';
import { checkHistoryQuery } from './influxql.ts';

export interface EmbeddedSinkOptions {
  /** Readings older than this (by device time) are pruned. */
  retentionMs: number;
  /** How often to prune. Default 10 minutes; 0 disables the timer (call `prune()`). */
  pruneIntervalMs?: number;
  logger?: SpoolLogger;
  now?: () => number;
}

export type EmbeddedStore = Pick<HubStore, 'writeReadings' | 'queryReadings' | 'listReadings' | 'pruneReadings' | 'ping'>;

export interface EmbeddedSink extends TelemetrySink {
  /** Deletes readings older than the retention now; returns how many. */
  prune(): Promise<number>;
}

/** The telemetry sink over the SQL store's embedded readings table (when no InfluxDB is configured). */
export function createEmbeddedSink(store: EmbeddedStore, opts: EmbeddedSinkOptions): EmbeddedSink {
  const log = opts.logger ?? consoleLogger;
  const now = opts.now ?? Date.now;
  const prune = () => store.pruneReadings(now() - opts.retentionMs);
  const intervalMs = opts.pruneIntervalMs ?? 10 * 60_000;
  let pruning = false;
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          if (pruning) return;
          pruning = true;
          prune()
            .catch((err: unknown) => log.error({ err: String(err) }, 'pruning embedded readings failed'))
            .finally(() => (pruning = false));
        }, intervalMs)
      : null;
  timer?.unref();
  return {
    name: 'embedded',
    // Idempotent per reading, so a batch that fails halfway is simply written again whole. On
    // SQLite the store writes in its own thread (store/src/telemetry), off the event loop.
    write: (readings: Reading[]) => store.writeReadings(readings),
    query: async (q: HistoryQuery): Promise<HistoryResult> => {
      checkHistoryQuery(q);
      return store.queryReadings(q);
    },
    readings: (q) => store.listReadings(q),
    ping: () => store.ping(),
    prune,
    close: async () => {
      if (timer) clearInterval(timer);
    },
  };
}
