import type { DeviceInfo, DeviceState } from '@gridhub/core';
import type { HistoryQuery, HistoryResult, HubStore } from '@gridhub/store';
import type { HubConfig } from './config.ts';
import type { AttemptLimiter, UserStore } from './auth/index.ts';
import type { HubRules } from './rules-engine.ts';
import type { Notifier } from '@gridhub/notify';

/** A part of the hub as /api/health sees it. */
export interface PartHealth {
  ok: boolean;
  detail: string;
  [key: string]: unknown;
}

/**
 * What the HTTP API needs from the running hub. Decorated once on the Fastify instance
 * (`app.hub`); routes never reach past it.
 */
export interface HubServices {
  config: Readonly<HubConfig>;
  store: HubStore;
  history(q: HistoryQuery): Promise<HistoryResult>;
  /** Each part's state for /api/health (broker, store, telemetry, spool). */
  health(): Promise<Record<string, PartHealth>>;
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
