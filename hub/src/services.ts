import type { DeviceInfo, DeviceState } from '@gridhub/core';
import type { HistoryQuery, HistoryResult, HubStore } from '@gridhub/store';
import type { HubConfig } from './config.ts';
import type { LoginGuard, UserStore } from './auth/index.ts';
import type { HubRules } from './rules-engine.ts';
import type { PhotoStore } from './photos/store.ts';
import type { Ingest } from '@gridhub/ingest';
import type { AdminServices } from './admin/services.ts';
import type { CodecRegistry } from '@gridhub/codecs';
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
  /** Users, sessions, the login limits (per user name and address, per address) and the browser origins allowed besides the hub's own. */
  auth: { users: UserStore; logins: LoginGuard; sessionTtlMs: number; cookieSecure: boolean; allowedOrigins: ReadonlySet<string> };
  /** The rules engine, its ticket store, rules configuration and the event stream. */
  rules: HubRules;
  /** Where resolution photos' bytes are kept (files under HUB_DATA_DIR). */
  photos: PhotoStore;
  /** Network servers' and platforms' uplinks (HTTP pushes, camera boxes) into the one spool. */
  networkIngest: Pick<Ingest, 'handleSource' | 'handleNetwork'>;
  /** Site editing, device secrets, the audit log, rule versions (issue 14: the admin screens). */
  admin: AdminServices;
  /** Device models (设备型号) and their codecs, built in or uploaded (sandboxed). */
  codecs: CodecRegistry;
  /** Notifications (absent in API tests that build services without one). */
  notifier?: Notifier;
}

export type DeviceView = DeviceInfo & { state: DeviceState | null };
