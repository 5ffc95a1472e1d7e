import { MESSAGE_KINDS, type MessageKind } from '@gridhub/core';
import type { BrokerStats, ShedReason } from './types.ts';

const SHED_REASONS: readonly ShedReason[] = ['rate', 'rate_disconnect', 'ingest_overload', 'event_loop_lag', 'fanout_overload', 'ingest_failed'];

/** Mutable counters behind `stats()`; the snapshot is a copy. */
export class BrokerCounters {
  messagesIn = Object.fromEntries(MESSAGE_KINDS.map((k) => [k, 0])) as Record<MessageKind, number>;
  shed = Object.fromEntries(SHED_REASONS.map((r) => [r, 0])) as Record<ShedReason, number>;
  throttled = 0;
  integrationIn = 0;
  authFailures = 0;
  denied = { publish: 0, subscribe: 0, connect: 0 };
  ingestInFlight = 0;
  fanoutInFlight = 0;

  snapshot(live: { connections: number; devicesConnected: number; eventLoopLagMs: number; authCacheHits: number }): BrokerStats {
    return {
      ...live,
      messagesIn: { ...this.messagesIn },
      shed: { ...this.shed },
      throttled: this.throttled,
      integrationIn: this.integrationIn,
      authFailures: this.authFailures,
      denied: { ...this.denied },
      ingestInFlight: this.ingestInFlight,
      fanoutInFlight: this.fanoutInFlight,
    };
  }
}
