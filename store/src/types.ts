import type {
  Liveness, LivenessPolicy,
  DeviceIdentity, RadioHealth,
  Building, Community, Device, DeviceInfo, DeviceKind, DeviceState, Estate, Grid, Officer, Reading, Refusal, SiteFile, Street, Unit, Warden,
} from '@gridhub/core';

/**
 * The hub's SQL store: the site (grid hierarchy, devices, wardens), device state, refused
 * messages and, when no InfluxDB is configured, the embedded telemetry table.
 * One schema and one set of migrations (Kysely) for both SQLite (default, a file in
 * HUB_DATA_DIR) and PostgreSQL (DATABASE_URL).
 */
export interface HubStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** Applies pending migrations. Idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Cheap liveness check for /api/health. */
  ping(): Promise<void>;

  // ---- site ----
  /** True when no street has been imported yet (the demo site is loaded then). */
  isEmpty(): Promise<boolean>;
  /** The site's street office id (a site has one), or null when no site is imported. */
  streetId(): Promise<string | null>;
  /**
   * Validates and imports a parsed site file in one transaction: all or nothing. Throws
   * HubError('HUB_ERR_SITE_INVALID') whose `details` is a list of { path, reason } for every
   * bad entry (e.g. path 'communities[0].grids[1].estates[0].devices[12].building').
   * Re-importing replaces the site's hierarchy and devices (upsert) and keeps device state.
   * Plain `secret`s are hashed (scrypt) before they are stored; plain secrets are never stored.
   */
  importSite(site: SiteFile): Promise<{ devices: number; wardens: number }>;
  siteTree(): Promise<SiteTree>;
  /** Every device with its place (for the ingest cache). */
  allDeviceInfo(): Promise<DeviceInfo[]>;
  deviceInfo(id: string): Promise<DeviceInfo | undefined>;
  listDevices(filter: DeviceFilter): Promise<{ total: number; items: DeviceInfo[] }>;
  /** The stored scrypt hash of a device's secret, for the broker's authenticate. */
  deviceSecretHash(id: string): Promise<{ kind: DeviceKind; secretHash: string } | undefined>;
  listWardens(gridId?: string): Promise<Warden[]>;
  /** Officers (社区干部, 街道干部), optionally of one community or street office. */
  listOfficers(placeId?: string): Promise<Officer[]>;
  /** The grids of a community or of the whole street (a community or street officer's scope). */
  gridIdsIn(place: { communityId?: string | null; streetId?: string | null }): Promise<string[]>;

  // ---- device state ----
  /** Upserts many device states in one transaction (ingest coalesces per device and flushes ~1/s). */
  upsertDeviceStates(states: DeviceStatePatch[]): Promise<void>;
  deviceState(id: string): Promise<DeviceState | undefined>;
  /** The states of many devices in one query (a device with no state yet is absent from the map). */
  deviceStates(ids: readonly string[]): Promise<Map<string, DeviceState>>;

  // ---- refused messages ----
  /** Records refusals in one transaction and adds them to each device's refused count. */
  recordRefusals(refusals: Refusal[]): Promise<void>;
  listRefusals(filter: { deviceId?: string; code?: string; limit: number; beforeMs?: number }): Promise<Refusal[]>;
  countRefusals(filter: { deviceId?: string; code?: string }): Promise<number>;

  // ---- network uplinks (ChirpStack, TTS, CTWing, OneNET, cameras) ----
  /** Upserts sightings of unclaimed identities (counts added, first/last seen kept). */
  recordUnclaimed(sightings: UnclaimedDevice[]): Promise<void>;
  listUnclaimed(filter: { limit: number }): Promise<UnclaimedDevice[]>;
  /** Marks uplink keys as spooled (idempotent). */
  recordUplinkKeys(keys: { key: string; seenMs: number }[]): Promise<void>;
  /** Keys seen since `sinceMs`, newest first, at most `limit` (the dedup window at start). */
  recentUplinkKeys(sinceMs: number, limit: number): Promise<{ key: string; seenMs: number }[]>;
  /** Forgets keys older than the cutoff; returns how many. */
  pruneUplinkKeys(olderThanMs: number): Promise<number>;

  // ---- embedded telemetry (used when INFLUX_URL is not set) ----
  /** Idempotent on (deviceId, message, tsMs, seq): writing a reading twice stores it once. */
  writeReadings(readings: Reading[]): Promise<void>;
  queryReadings(q: HistoryQuery): Promise<HistoryResult>;
  /** Embedded readings in [fromMs, toMs), oldest first (a rule dry run replays them). */
  listReadings(q: ReadingsQuery): Promise<Reading[]>;
  countReadings(filter: { deviceId?: string; message?: string }): Promise<number>;
  /** Deletes embedded readings older than the cutoff; returns how many. */
  pruneReadings(olderThanMs: number): Promise<number>;
}

export interface SiteTree {
  street: (Street & { officers: Officer[] }) | null;
  communities: (Community & {
    officers: Officer[];
    grids: (Grid & {
      wardens: Warden[];
      estates: (Estate & { buildings: (Building & { units: Unit[] })[]; deviceCounts: Partial<Record<DeviceKind, number>> })[];
    })[];
  })[];
}

export interface DeviceFilter {
  kind?: DeviceKind;
  gridId?: string;
  /** Any of these grids (an officer's community or street). */
  gridIds?: readonly string[];
  estateId?: string;
  buildingId?: string;
  /** Filter on derived liveness needs state; 'connected' filters on the MQTT connection. */
  connected?: boolean;
  batteryBelowPct?: number;
  /** Devices not seen since this time (or never). */
  silentSinceMs?: number;
  /** Devices whose derived liveness (core's `livenessOf` under `policy`) is `level` at `nowMs`. */
  liveness?: { level: Liveness; nowMs: number; policy: Record<DeviceKind, LivenessPolicy> };
  limit: number;
  offset: number;
}

/** A partial update: only the given fields change; `latest` is merged key by key. */
export interface DeviceStatePatch {
  deviceId: string;
  lastSeenMs?: number;
  connected?: boolean;
  batteryPct?: number;
  latest?: Record<string, number | boolean | string>;
  latestTsMs?: number;
  lastEvent?: string;
  lastEventMs?: number;
  /** Radio health of the last network uplink (replaces the previous one). */
  radio?: RadioHealth;
}

/** An identity that sent uplinks but is in no device of the site (GET /api/devices/unclaimed). */
export interface UnclaimedDevice {
  network: string;
  identityType: DeviceIdentity['type'];
  identity: string;
  firstSeenMs: number;
  lastSeenMs: number;
  count: number;
  origin: string;
  /** What the network said about it (its name, application, model) as given, for the admin. */
  detail: Record<string, string>;
}

/** Stored readings of every device in [fromMs, toMs), oldest first, at most `limit`. */
export interface ReadingsQuery {
  fromMs: number;
  toMs: number;
  kinds?: readonly string[];
  limit: number;
}

/** A device's history of one numeric field, downsampled to at most `maxPoints` buckets (mean). */
export interface HistoryQuery {
  deviceId: string;
  field: string;
  fromMs: number;
  toMs: number;
  maxPoints: number;
}

export interface HistoryResult {
  deviceId: string;
  field: string;
  intervalMs: number;
  points: { tMs: number; value: number | null }[];
}

export type { Device, DeviceInfo };
