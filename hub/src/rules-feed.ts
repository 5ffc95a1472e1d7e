import type { Logger } from 'pino';
import type { Reading } from '@gridhub/core';
import type { Ingest, SpoolBatch, SpoolPos, SpoolReader } from '@gridhub/ingest';
import { readCursor, type SqlHubStore } from '@gridhub/store';
import type { RulesEngine } from '@gridhub/rules';

/** The spool reader the rules engine reads by (declared in the spool's `readers`). */
export const RULES_SPOOL_READER = 'rules';
/** Its durable position, in the `cursors` table, moved in the same transaction as what the readings caused. */
export const RULES_CURSOR = 'rules.spool';

export interface RulesFeedStatus {
  /** Durable readings the engine has not committed yet. */
  backlog: number;
  /** How long the oldest of them has been waiting (ms since it was spooled); 0 when none. */
  backlogAgeMs: number;
  /** Failed attempts in a row to commit the current batch (the store away); 0 when it works. */
  consecutiveFailures: number;
  lastError: { message: string; atMs: number } | null;
  /** Readings committed since start. */
  evaluated: number;
}

export interface RulesFeed {
  status(): RulesFeedStatus;
  stop(): Promise<void>;
}

/**
 * The engine reads the spool by position, never a callback: one batch at a time, in order; the
 * batch's end position is written in the same transaction as the alert states, tickets and events
 * it caused, so a crash at any point replays exactly what was not committed. When the store is
 * away the batch is retried with backoff (1 s at most, so an alarm pages within a second of its
 * return), nothing is dropped, and the backlog (count and age) is visible.
 */
export async function startRulesFeed(opts: { store: SqlHubStore; ingest: Ingest; engine: RulesEngine; log: Logger; batchSize?: number; clock?: () => number; maxBackoffMs?: number }): Promise<RulesFeed> {
  const clock = opts.clock ?? Date.now;
  const maxBackoffMs = opts.maxBackoffMs ?? 1000;
  const from = await readCursor<SpoolPos>(opts.store.db, RULES_CURSOR);
  const reader: SpoolReader<Reading> = await opts.ingest.openReader(RULES_SPOOL_READER, from);
  let stopped = false;
  let current: SpoolBatch<Reading> | null = null;
  let consecutiveFailures = 0;
  let lastError: RulesFeedStatus['lastError'] = null;
  let evaluated = 0;
  let wakeSleep: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wakeSleep = null;
        r();
      }
      wakeSleep = done;
    });

  async function commit(batch: SpoolBatch<Reading>): Promise<boolean> {
    for (let attempt = 0; !stopped; attempt++) {
      try {
        await opts.engine.ingest(batch.values, { name: RULES_CURSOR, position: batch.end });
        if (consecutiveFailures > 0) opts.log.warn({ failures: consecutiveFailures }, 'rules engine commits again');
        consecutiveFailures = 0;
        return true;
      } catch (err) {
        consecutiveFailures++;
        lastError = { message: err instanceof Error ? err.message : String(err), atMs: clock() };
        if (consecutiveFailures === 1 || consecutiveFailures % 30 === 0) {
          opts.log.error({ err, failures: consecutiveFailures, readings: batch.values.length }, 'rules engine could not commit a batch of readings; retrying (nothing is dropped)');
        }
        await sleep(Math.min(maxBackoffMs, 50 * 2 ** Math.min(attempt, 10)));
      }
    }
    return false;
  }

  const loop = (async () => {
    while (!stopped) {
      let batch: SpoolBatch<Reading> | null;
      try {
        batch = await reader.read(opts.batchSize ?? 500);
      } catch (err) {
        lastError = { message: err instanceof Error ? err.message : String(err), atMs: clock() };
        opts.log.error({ err }, 'reading the spool for the rules engine failed; retrying');
        reader.rewind();
        await sleep(maxBackoffMs);
        continue;
      }
      if (!batch || !batch.values.length) {
        if (!stopped) await sleep(50); // interrupted, or the spool closed under us
        continue;
      }
      current = batch;
      if (!(await commit(batch))) return;
      evaluated += batch.values.length;
      current = null;
      await reader.confirm(batch).catch((err) => opts.log.error({ err }, 'releasing spool segments failed'));
    }
  })();

  return {
    status: () => ({
      backlog: reader.backlog(),
      backlogAgeMs: current ? Math.max(0, clock() - current.appendMs[0]!) : 0,
      consecutiveFailures,
      lastError,
      evaluated,
    }),
    async stop() {
      stopped = true;
      wakeSleep?.();
      reader.interrupt();
      await loop;
      reader.close();
    },
  };
}
