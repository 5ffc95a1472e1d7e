import { Type, type Static } from '@sinclair/typebox';
import { DEVICE_KINDS, type DeviceKind } from './kinds.ts';
import { DEVICE_ID_PATTERN } from './topics.ts';

/**
 * The site: the grid hierarchy every device and every person hangs in.
 *   street office (街道) -> community (社区) -> grid (网格) -> estate (小区) -> building (楼栋)
 *   -> unit (单元) -> floor. Bins and manholes stand in an estate's grounds at a position.
 * Declared in a YAML site file (HUB_SITE), nested as people read it; stored flat (see below).
 * Positions are metres on the estate's own plan (x east, y south, origin top-left), so the
 * dashboard can draw an estate with no map tiles.
 */
/** A device model id: lowercase vendor-model, e.g. `dingtek-df703`, `milesight-em400-udl`. */
export const MODEL_ID_PATTERN = '^[a-z0-9][a-z0-9._-]{0,63}$';
export const DEV_EUI_PATTERN = '^[0-9A-Fa-f]{16}$';
export const IMEI_PATTERN = '^[0-9]{15}$';

const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
const Name = Type.String({ minLength: 1, maxLength: 100 });
const Position = Type.Object({ x: Type.Number({ minimum: 0 }), y: Type.Number({ minimum: 0 }) }, { additionalProperties: false });

export const WARDEN_ROLES = ['grid_leader', 'full_time', 'part_time'] as const;
export type WardenRole = (typeof WARDEN_ROLES)[number];
export const WARDEN_ROLE_LABELS: Record<WardenRole, { zh: string; en: string }> = {
  grid_leader: { zh: '网格长', en: 'Grid leader' },
  full_time: { zh: '专职网格员', en: 'Full-time warden' },
  part_time: { zh: '兼职网格员', en: 'Part-time warden' },
};

/**
 * A retired node (撤销): kept with its history and tickets, out of live screens and counts; a
 * retired device can neither connect nor publish. An admin may restore it.
 */
export const RetiredSchema = Type.Object(
  { at: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$' }), by: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
const retired = Type.Optional(RetiredSchema);

export const SiteDeviceSchema = Type.Object(
  {
    id: Type.String({ pattern: DEVICE_ID_PATTERN }),
    retired,
    kind: Type.Union(DEVICE_KINDS.map((k) => Type.Literal(k))),
    name: Type.Optional(Name),
    /** Exactly one of `secret` (plain, hashed on import, for demos) or `secret_hash` (scrypt$...). */
    secret: Type.Optional(Type.String({ minLength: 8, maxLength: 200 })),
    secret_hash: Type.Optional(Type.String({ pattern: '^scrypt\\$' })),
    building: Type.Optional(Id),
    unit: Type.Optional(Id),
    floor: Type.Optional(Type.Integer({ minimum: -10, maximum: 200 })),
    elevator: Type.Optional(Id),
    position: Type.Optional(Position),
    installed: Type.Optional(Type.String({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
    /** Bins: depth from sensor to the bin's floor, and the sensor's offset above the rim (mm). */
    bin_depth_mm: Type.Optional(Type.Integer({ minimum: 100, maximum: 5000 })),
    sensor_offset_mm: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
    /** Device model (设备型号) id in the codec registry, e.g. `dingtek-df703`: how its frames decode. */
    model: Type.Optional(Type.String({ pattern: MODEL_ID_PATTERN })),
    /** LoRaWAN DevEUI (16 hex digits): how ChirpStack and The Things Stack name it. */
    dev_eui: Type.Optional(Type.String({ pattern: DEV_EUI_PATTERN })),
    /** The application it must arrive from (ChirpStack application UUID, TTS `app@tenant`, CTWing productId, OneNET product). */
    network_app: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9@._-]*$' })),
    /** NB-IoT IMEI (15 digits): how CTWing and OneNET name it. */
    imei: Type.Optional(Type.String({ pattern: IMEI_PATTERN })),
    /** A carrier platform's own device id (CTWing `deviceId`, OneNET `dev_id`), when it is not the IMEI. */
    platform_device_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' })),
    /** Further codec parameters (thresholds, mounting) passed to the model's mapping. */
    params: Type.Optional(Type.Record(Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9_]{0,63}$' }), Type.Union([Type.Number(), Type.String({ maxLength: 200 }), Type.Boolean()]))),
  },
  { additionalProperties: false },
);

export const SiteUnitSchema = Type.Object(
  { id: Id, name: Name, elevators: Type.Optional(Type.Array(Id)), retired },
  { additionalProperties: false },
);

export const SiteBuildingSchema = Type.Object(
  {
    id: Id,
    name: Name,
    floors: Type.Integer({ minimum: 1, maximum: 200 }),
    position: Position,
    size: Type.Optional(Type.Object({ w: Type.Number({ minimum: 1 }), h: Type.Number({ minimum: 1 }) }, { additionalProperties: false })),
    units: Type.Array(SiteUnitSchema),
    retired,
  },
  { additionalProperties: false },
);

export const SiteEstateSchema = Type.Object(
  {
    id: Id,
    name: Name,
    plan: Type.Object({ width_m: Type.Number({ minimum: 10 }), height_m: Type.Number({ minimum: 10 }) }, { additionalProperties: false }),
    buildings: Type.Array(SiteBuildingSchema),
    devices: Type.Array(SiteDeviceSchema),
    retired,
  },
  { additionalProperties: false },
);

export const SiteWardenSchema = Type.Object(
  {
    id: Id,
    name: Name,
    phone: Type.String({ pattern: '^\\+?[0-9 -]{5,20}$' }),
    role: Type.Union(WARDEN_ROLES.map((r) => Type.Literal(r))),
    retired,
  },
  { additionalProperties: false },
);

/** An officer of a community (社区干部) or of the street office (街道干部): escalations land on them. */
export const SiteOfficerSchema = Type.Object(
  { id: Id, name: Name, phone: Type.String({ pattern: '^\\+?[0-9 -]{5,20}$' }) },
  { additionalProperties: false },
);

export const SiteGridSchema = Type.Object(
  { id: Id, name: Name, estates: Type.Array(SiteEstateSchema), wardens: Type.Array(SiteWardenSchema), retired },
  { additionalProperties: false },
);

export const SiteCommunitySchema = Type.Object(
  { id: Id, name: Name, officers: Type.Optional(Type.Array(SiteOfficerSchema)), grids: Type.Array(SiteGridSchema), retired },
  { additionalProperties: false },
);

export const SiteFileSchema = Type.Object(
  {
    version: Type.Literal(1),
    street: Type.Object(
      {
        id: Id,
        name: Name,
        /** The control room (指挥中心) wardens call from their phones. */
        control_room: Type.Optional(Type.Object({ phone: Type.String({ pattern: '^\\+?[0-9 -]{3,20}$' }) }, { additionalProperties: false })),
        /** The street office's officers (街道干部). */
        officers: Type.Optional(Type.Array(SiteOfficerSchema)),
      },
      { additionalProperties: false },
    ),
    communities: Type.Array(SiteCommunitySchema),
  },
  { $id: 'SiteFile', title: 'GridHub site file', additionalProperties: false },
);
export type SiteFile = Static<typeof SiteFileSchema>;
export type SiteDeviceEntry = Static<typeof SiteDeviceSchema>;

// ---- Domain types as stored (flat) and served by the API ----

export interface Street { id: string; name: string; /** The control room's phone number (site file `street.control_room.phone`). */ controlRoomPhone?: string | null }
export interface Community { id: string; name: string; streetId: string }
export interface Grid { id: string; name: string; communityId: string }
export interface Estate { id: string; name: string; gridId: string; widthM: number; heightM: number }
export interface Building { id: string; name: string; estateId: string; floors: number; x: number; y: number; w: number | null; h: number | null }
export interface Unit { id: string; name: string; buildingId: string; elevators: string[] }
export interface Warden { id: string; name: string; phone: string; role: WardenRole; gridId: string }
/** An officer of a community (`level: 'community'`, `placeId` its id) or of the street office. */
export interface Officer { id: string; name: string; phone: string; level: 'community' | 'street'; placeId: string }

export interface Device {
  id: string;
  kind: DeviceKind;
  name: string | null;
  estateId: string;
  buildingId: string | null;
  unitId: string | null;
  floor: number | null;
  elevatorId: string | null;
  x: number | null;
  y: number | null;
  installedAt: string | null;
  binDepthMm: number | null;
  sensorOffsetMm: number | null;
  /** Device model id (codec registry), or null for a device that speaks the v1 contract itself. */
  model: string | null;
  /** Network identities (see DeviceIdentity); DevEUI lowercase. */
  devEui: string | null;
  networkApp: string | null;
  imei: string | null;
  platformDeviceId: string | null;
  /** Codec parameters from the site (bin depth and offset are passed to the codec too). */
  params: Record<string, number | string | boolean>;
}

/** How a network server or carrier platform names a device; each is unique across the site. */
export type DeviceIdentity =
  | { type: 'devEui'; value: string }
  | { type: 'imei'; value: string }
  | { type: 'platformDeviceId'; value: string };

/** One key per identity, for lookups (`devEui:a84041000181c061`); DevEUIs compare lowercase. */
export function identityKey(id: DeviceIdentity): string {
  return `${id.type}:${id.type === 'devEui' ? id.value.toLowerCase() : id.value}`;
}

/** Radio health of a device behind a network: last values, kept in its state (not in readings). */
export interface RadioHealth {
  /** Best RSSI (dBm) and SNR (dB) among the gateways that heard the last uplink. */
  rssiDbm: number | null;
  snrDb: number | null;
  /** The gateway (or base station / cell) that heard it best. */
  gatewayId: string | null;
  /** How many gateways heard it. */
  gateways: number;
  /** Network frame counter (LoRaWAN fCnt, CTWing upPacketSN). */
  fCnt: number | null;
  /** Spreading factor / data rate as the network reports it. */
  dataRate: string | null;
  /** Which network path it came in on: chirpstack, tts, ctwing, onenet, camera. */
  network: string;
  atMs: number;
}

/** Where a device stands: the tags every reading is stored with. */
export interface DevicePlace {
  street: string;
  community: string;
  grid: string;
  estate: string;
  building: string | null;
  unit: string | null;
}

/** A device as the ingest path needs it: kind, place and bin geometry; cached in memory. */
export interface DeviceInfo extends Device {
  place: DevicePlace;
}

/** Liveness in three levels rather than a boolean (online / late / offline). */
export const LIVENESS = ['online', 'late', 'offline', 'unknown'] as const;
export type Liveness = (typeof LIVENESS)[number];

/** The device's current state, kept in the SQL store by ingest. */
export interface DeviceState {
  deviceId: string;
  lastSeenMs: number | null;
  connected: boolean | null;
  batteryPct: number | null;
  latest: Record<string, number | boolean | string>;
  latestTsMs: number | null;
  lastEvent: string | null;
  lastEventMs: number | null;
  refusedCount: number;
  /** Devices behind a network server or platform: RSSI, SNR, gateway of the last uplink. */
  radio: RadioHealth | null;
}

/** The network fields of a device that speaks the v1 contract itself (no model, no network identity). */
export function contractDeviceFields(): Pick<Device, 'model' | 'devEui' | 'networkApp' | 'imei' | 'platformDeviceId' | 'params'> {
  return { model: null, devEui: null, networkApp: null, imei: null, platformDeviceId: null, params: {} };
}
