import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Aedes } from 'aedes';
import type { DeviceKind, MessageKind } from '@gridhub/core';

/** What the broker needs to know about a device to authenticate and authorize it. */
export interface DeviceCredentials {
  kind: DeviceKind;
  secretHash: string;
}

/**
 * A message accepted by the broker on a device topic, handed to ingest. For QoS 1 the broker
 * sends PUBACK only after `onDeviceMessage` resolves (the message is durably spooled or refused
 * and recorded); if it rejects, no PUBACK is sent and the device will redeliver.
 */
export interface DeviceMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  clientId: string;
  /** Broker arrival time, epoch ms. */
  rxMs: number;
}

/** service: may publish downlink `v1/{kind}/{id}/cmd` and subscribe to `v1/#`; operator: read-only on v1. */
export type UserRole = 'service' | 'operator';

export interface BrokerUser {
  username: string;
  /** scrypt hash from `hashSecret` (@gridhub/core). */
  passwordHash: string;
  role: UserRole;
  /**
   * A service account of a network server: the applications it may publish integration events
   * for (ChirpStack application UUIDs, TTS `app@tenant`). Absent: every application.
   */
  applications?: readonly string[];
}

/** Who a connected client is, decided once by `authenticate`. */
export type ClientIdentity =
  | { type: 'device'; deviceId: string; kind: DeviceKind }
  | { type: 'user'; username: string; role: UserRole; applications?: readonly string[] }
  | { type: 'anonymous' };

/** Load limits; every field has a documented default (see DEFAULT_LIMITS in limits.ts). */
export interface BrokerLimits {
  /** Per-client token bucket refill rate, messages per second. Default 200. */
  perClientRatePerSec: number;
  /** Per-client token bucket size. Default 400. */
  perClientBurst: number;
  /** A service account's bucket (a network server carries thousands of devices on one connection). Default 5000/s. */
  serviceRatePerSec: number;
  /** Default 10000. */
  serviceBurst: number;
  /** A QoS 1 PUBLISH over the rate is held (socket not read) at most this long, else the client is disconnected. Default 10000. */
  qos1MaxDelayMs: number;
  /** onDeviceMessage calls in flight above which QoS 0 is dropped. Default 10000. */
  maxIngestInFlight: number;
  /** Messages being fanned out to subscribers above which further fan-out is dropped. Default 20000. */
  maxFanoutInFlight: number;
  /** Event-loop lag above which QoS 0 is dropped. Default 1000. */
  maxEventLoopLagMs: number;
  /** Concurrent scrypt verifications (libuv pool has 4 threads). Default 4. */
  maxConcurrentHashes: number;
  /** Verifications waiting for a slot above which CONNECT gets 0x03 (server unavailable). Default 2000. */
  maxQueuedHashes: number;
}

export interface BrokerOptions {
  deviceCredentials: (deviceId: string) => Promise<DeviceCredentials | undefined>;
  onDeviceMessage: (msg: DeviceMessage) => Promise<void>;
  /**
   * A service account's message on a network-server integration topic (ChirpStack, TTS): ingested
   * like a device's, PUBACK only once this resolves. Without it, such publishes are refused.
   */
  onIntegrationMessage?: (msg: DeviceMessage) => Promise<void>;
  onDeviceConnection?: (deviceId: string, connected: boolean, atMs: number) => void;
  users?: readonly BrokerUser[];
  /** Clients without a username; never allowed on device topics (`v1/...`). Default false. */
  allowAnonymous?: boolean;
  limits?: Partial<BrokerLimits>;
  /** Largest MQTT packet accepted (remaining length); bigger ones close the connection. Default 262144. */
  maxPacketBytes?: number;
  /** Where errors and notable events go (never secrets). Default: nothing. */
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

/** Why a message was not processed. */
export type ShedReason =
  | 'rate' // QoS 0 over the per-client token bucket
  | 'rate_disconnect' // QoS 1 that would wait longer than qos1MaxDelayMs: client disconnected
  | 'ingest_overload' // QoS 0 while maxIngestInFlight onDeviceMessage calls are pending
  | 'event_loop_lag' // QoS 0 while the event loop lags more than maxEventLoopLagMs
  | 'fanout_overload' // delivery to subscribers skipped while maxFanoutInFlight are in flight
  | 'ingest_failed'; // onDeviceMessage rejected (QoS 1: client disconnected, no PUBACK)

export interface BrokerStats {
  connections: number;
  devicesConnected: number;
  /** Device messages handed to onDeviceMessage, by message kind. */
  messagesIn: Record<MessageKind, number>;
  shed: Record<ShedReason, number>;
  /** QoS 1 messages held back by the rate limit (not lost). */
  throttled: number;
  /** Network-server integration events (service accounts) handed to onIntegrationMessage. */
  integrationIn: number;
  authFailures: number;
  /** Logins verified from the in-memory cache instead of scrypt. */
  authCacheHits: number;
  /** Publishes and subscriptions refused by policy. */
  denied: { publish: number; subscribe: number; connect: number };
  ingestInFlight: number;
  fanoutInFlight: number;
  eventLoopLagMs: number;
}

export interface TlsFiles {
  cert: string | Buffer;
  key: string | Buffer;
}

export interface HubBroker {
  aedes: Aedes;
  /** Listens for MQTT over TCP; resolves the port (0 = any free port). */
  listenTcp(port: number, host?: string): Promise<number>;
  /** MQTT over TLS; `cert`/`key` are PEM contents. */
  listenTls(port: number, host: string | undefined, tls: TlsFiles): Promise<number>;
  /** MQTT over WebSocket on an existing HTTP server (e.g. Fastify's `server`) at `path`. */
  /** MQTT over WebSocket on an existing HTTP server; `allow` sees each upgrade's request first (a refused one gets 403). */
  attachWebSocket(server: HttpServer, path?: string, allow?: (req: IncomingMessage) => boolean): void;
  /** A bare HTTP server carrying only MQTT over WebSocket at `path` (standalone broker). */
  listenWebSocket(port: number, host?: string, path?: string): Promise<number>;
  publishCommand(kind: DeviceKind, deviceId: string, payload: Buffer | string | object): Promise<void>;
  /** Forget a cached secret verification (secret rotated or device removed). */
  invalidateDevice(deviceId: string): void;
  /** Secret rotated or revoked, device retired: forget its cached verification and close its connection now (true if it was connected). */
  disconnectDevice(deviceId: string): boolean;
  stats(): BrokerStats;
  connectedDeviceIds(): string[];
  close(): Promise<void>;
}
