import type { IngestStats } from '@gridhub/ingest';
import type { RulesFeedStatus } from './rules-feed.ts';

export type PartStatus = 'ok' | 'degraded' | 'down';

/** A part of the hub as /api/health sees it: its state, why, and figures. */
export interface PartHealth {
  status: PartStatus;
  /** status === 'ok'. */
  ok: boolean;
  /** Why, in a few words ('ok' when it is). */
  detail: string;
  [key: string]: unknown;
}

export interface HealthInput {
  broker: { listening: boolean; connections: number; devicesConnected: number };
  /** The store's ping: null when it answered, else why not. */
  storeError: string | null;
  storeLatencyMs: number | null;
  dialect: string;
  /** The telemetry sink's ping: null when it answered, else why not. */
  sinkError: string | null;
  sinkLatencyMs: number | null;
  sink: string;
  ingest: Pick<IngestStats, 'spool' | 'drain'>;
  rules: RulesFeedStatus;
  nowMs: number;
}

/** A rules backlog older than this is a degraded hub (alarms wait for their tickets). */
export const RULES_BACKLOG_DEGRADED_MS = 2000;

const part = (status: PartStatus, detail: string, extra: Record<string, unknown> = {}): PartHealth => ({ status, ok: status === 'ok', detail, ...extra });

/**
 * Pure: each part's state with its reason, and the hub's. The hub is `down` (HTTP 503) only when
 * it cannot take alarms: the broker is not listening, or the spool cannot take the next record.
 * A store, telemetry sink or rules engine in trouble is `degraded`: alarms are still taken and
 * acknowledged (the spool holds them) and become tickets once the part is back.
 */
export function healthOf(h: HealthInput): { status: PartStatus; parts: Record<string, PartHealth> } {
  const spool = h.ingest.spool;
  const drain = h.ingest.drain;
  const parts: Record<string, PartHealth> = {
    broker: h.broker.listening
      ? part('ok', 'listening', { connections: h.broker.connections, devicesConnected: h.broker.devicesConnected })
      : part('down', 'not listening: no device can connect'),
    spool: !spool
      ? part('down', 'not open: messages are not acknowledged')
      : part(spool.full ? 'down' : spool.filling ? 'degraded' : 'ok', spool.full ? 'full: the next message cannot fit, QoS 1 messages are not acknowledged' : spool.filling ? 'filling: over 80% of its disk budget' : 'ok', {
          full: spool.full,
          filling: spool.filling,
          depth: spool.depth,
          bytes: spool.bytes,
          budgetBytes: spool.budgetBytes,
          oldestAgeMs: spool.oldestAgeMs,
        }),
    store: h.storeError
      ? part('down', `unreachable: ${h.storeError} (alarms are spooled and become tickets when it returns)`, { dialect: h.dialect })
      : part('ok', 'ok', { dialect: h.dialect, latencyMs: h.storeLatencyMs }),
    telemetry: (() => {
      const failing = drain?.consecutiveFailures ?? 0;
      const extra = { sink: h.sink, lastError: drain?.lastError ?? null, consecutiveFailures: failing };
      if (h.sinkError) return part('down', `unreachable: ${h.sinkError} (readings wait in the spool)`, extra);
      if (failing > 0) return part('down', `writes failing (${failing} in a row): ${drain?.lastError?.message ?? 'unknown'}`, extra);
      return part('ok', 'ok', { ...extra, latencyMs: h.sinkLatencyMs });
    })(),
    rules: (() => {
      const r = h.rules;
      const extra = { backlog: r.backlog, backlogAgeMs: r.backlogAgeMs, consecutiveFailures: r.consecutiveFailures, lastError: r.lastError };
      if (r.consecutiveFailures > 0) return part('degraded', `cannot commit (${r.consecutiveFailures} tries): ${r.lastError?.message ?? 'unknown'}; ${r.backlog} readings waiting, oldest ${Math.round(r.backlogAgeMs / 1000)} s`, extra);
      if (r.backlogAgeMs > RULES_BACKLOG_DEGRADED_MS) return part('degraded', `backlog: ${r.backlog} readings waiting, oldest ${Math.round(r.backlogAgeMs / 1000)} s`, extra);
      return part('ok', r.backlog > 0 ? `${r.backlog} readings being evaluated` : 'ok', extra);
    })(),
  };
  const takesAlarms = parts.broker!.status !== 'down' && parts.spool!.status !== 'down';
  const status: PartStatus = !takesAlarms ? 'down' : Object.values(parts).every((p) => p.ok) ? 'ok' : 'degraded';
  return { status, parts };
}
