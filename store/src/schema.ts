import type { Generated } from 'kysely';

/** Kysely table types for the store's schema (see migrations/). Column names are snake_case. */
/** A retired site row (migration 0190): ISO time and user; null while active. */
export interface Retirable { retired_at: string | null; retired_by: string | null }
export interface StreetsTable { id: string; name: string; control_room_phone: string | null }
export interface CommunitiesTable extends Retirable { id: string; name: string; street_id: string }
export interface GridsTable extends Retirable { id: string; name: string; community_id: string }
export interface EstatesTable extends Retirable { id: string; name: string; grid_id: string; width_m: number; height_m: number }
export interface BuildingsTable extends Retirable {
  id: string;
  name: string;
  estate_id: string;
  floors: number;
  x: number;
  y: number;
  w: number | null;
  h: number | null;
}
export interface UnitsTable extends Retirable { id: string; name: string; building_id: string; elevators: string }
export interface DevicesTable extends Retirable {
  id: string;
  kind: string;
  name: string | null;
  estate_id: string;
  building_id: string | null;
  unit_id: string | null;
  floor: number | null;
  elevator_id: string | null;
  x: number | null;
  y: number | null;
  installed_at: string | null;
  bin_depth_mm: number | null;
  sensor_offset_mm: number | null;
  secret_hash: string;
  model: string | null;
  /** lowercase */
  dev_eui: string | null;
  network_app: string | null;
  imei: string | null;
  platform_device_id: string | null;
  /** JSON object text. */
  params: string;
}
export interface WardensTable extends Retirable { id: string; name: string; phone: string; role: string; grid_id: string }
export interface OfficersTable { id: string; name: string; phone: string; level: string; place_id: string }

export interface DeviceStateTable {
  device_id: string;
  last_seen_ms: number | null;
  /** 0 / 1 / null: integers are portable, booleans are not. */
  connected: number | null;
  battery_pct: number | null;
  /** JSON object text. */
  latest: string;
  latest_ts_ms: number | null;
  last_event: string | null;
  last_event_ms: number | null;
  refused_count: number;
  /** JSON RadioHealth text, or null (devices that speak MQTT themselves). */
  radio: string | null;
}

export interface RefusalsTable {
  rx_ms: number;
  topic: string;
  device_id: string | null;
  client_id: string | null;
  code: string;
  reason: string;
  head: string;
  bytes: number;
}

/** Refusals per device ('' for none) and reason, whole however many rows are kept. */
export interface RefusalCountsTable {
  device_id: string;
  code: string;
  n: number;
}

export interface ReadingsTable {
  device_id: string;
  message: string;
  ts_ms: number;
  seq: number;
  rx_ms: number;
  kind: string;
  grid_id: string;
  estate_id: string;
  building_id: string | null;
  unit_id: string | null;
  /** JSON object text. */
  fields: string;
}

/** Network identities (DevEUI, IMEI, platform id) that sent uplinks but are in no device of the site. */
export interface UnclaimedDevicesTable {
  network: string;
  identity_type: string;
  identity: string;
  first_seen_ms: number;
  last_seen_ms: number;
  count: number;
  /** Where it came from: topic or route, plus what the network said about it (name, application). */
  origin: string;
  detail: string;
}

/** Keys of network uplinks already spooled (deduplicationId, fCnt, upPacketSN): a redelivery is not ingested twice. */
export interface UplinkSeenTable {
  key: string;
  seen_ms: number;
}

export interface StoreDatabase {
  streets: StreetsTable;
  communities: CommunitiesTable;
  grids: GridsTable;
  estates: EstatesTable;
  buildings: BuildingsTable;
  units: UnitsTable;
  devices: DevicesTable;
  wardens: WardensTable;
  officers: OfficersTable;
  device_state: DeviceStateTable;
  refusals: RefusalsTable;
  refusal_counts: RefusalCountsTable;
  readings: ReadingsTable;
  unclaimed_devices: UnclaimedDevicesTable;
  uplink_seen: UplinkSeenTable;
  events: EventsTable;
  cursors: CursorsTable;
}

export interface EventsTable {
  id: Generated<number>;
  at_ms: number;
  type: string;
  grid_id: string | null;
  device_id: string | null;
  /** The event as JSON text. */
  body: string;
}

export interface CursorsTable {
  name: string;
  /** The consumer's position as JSON text (an event id, a spool position). */
  position: string;
  updated_ms: number;
}
