import type { DeviceInfo, DeviceState } from '@gridhub/core';
import type { HistoryQuery, HistoryResult, HubStore } from '@gridhub/store';
import type { HubConfig } from './config.ts';
import type { AttemptLimiter, UserStore } from './auth/index.ts';
import type { HubRules } from './rules-engine.ts';
import type { Notifier } from '@gridhub/notify';

import type { PartHealth, PartStatus } from './health.ts';

export type { PartHealth, PartStatus };

/**
 * What the HTTP API needs from the running hub. Decorated once on the Fastify instance
 * (`app.hub`); routes never reach past it.
 */
export interface HubServices {
  config: Readonly<HubConfig>;
  store: HubStore;
  history(q: HistoryQuery): Promise<HistoryResult>;
  /** The hub's and each part's state for /api/health (broker, spool, store, telemetry, rules). */
  health(): Promise<{ status: PartStatus; parts: Record<string, PartHealth> }>;
  /** Prometheus text for /metrics. */
  metrics(): Promise<{ contentType: string; body: string }>;
  now(): number;
  /** Users, sessions and the login limiters (per IP, per user name). */
  auth: { users: UserStore; loginByIp: AttemptLimiter; loginByUser: AttemptLimiter; sessionTtlMs: number; cookieSecure: boolean };
  /** The rules engine, its ticket store, rules configuration and the event stream. */
  rules: HubRules;
  /** Notifications (absent in API tests that build services without one). */
  notifier?: Notifier;
}

export type DeviceView = DeviceInfo & { state: DeviceState | null };
