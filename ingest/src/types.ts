import type { Reading } from '@gridhub/core';
import type { HistoryQuery, HistoryResult, HubStore, ReadingsQuery } from '@gridhub/store';
import type { DeviceMessage } from '@gridhub/broker';
import type { CodecRegistry } from '@gridhub/codecs';
import type { NetworkOutcome, NetworkStats } from './network/path.ts';
import type { NetworkUplink, SourceResult } from './network/uplink.ts';
import type { RefusalStats } from './refusals.ts';
import type { DrainStats } from './spool/drain.ts';
import type { SpoolLogger, SpoolOptions, SpoolPos, SpoolReader, SpoolStats } from './spool/spool.ts';

/**
 * Where confirmed readings live: InfluxDB (INFLUX_URL set) or the embedded SQL table.
 * `write` resolves only once the readings are stored (InfluxDB: the client's writeSuccess);
 * it rejects when they are not, and the spool keeps them for a retry. Writing the same
 * reading twice must store it once (points are keyed by device, message, ts and seq).
 */
export interface TelemetrySink {
  readonly name: 'influxdb' | 'embedded';
  write(readings: Reading[]): Promise<void>;
  query(q: HistoryQuery): Promise<HistoryResult>;
  /** Every stored reading in [fromMs, toMs), oldest first, at most `limit` (a rule dry run replays them). */
  readings(q: ReadingsQuery): Promise<Reading[]>;
  /** For /api/health: resolves when the store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The few store methods ingest calls (the network ones only where network uplinks come in). */
export type IngestStore = Pick<HubStore, 'allDeviceInfo' | 'recordRefusals' | 'upsertDeviceStates'> &
  Partial<Pick<HubStore, 'recordUnclaimed' | 'recordUplinkKeys' | 'recentUplinkKeys' | 'pruneUplinkKeys'>>;

export interface IngestOptions {
  store: IngestStore;
  sink: TelemetrySink;
  /** Where and how big the spool is (see SpoolOptions). */
  spool: Omit<SpoolOptions, 'logger' | 'now'>;
  /** Readings per sink write. Default 5,000. */
  batchSize?: number;
  /**
   * Once the drain has caught up, the least time between sink writes (readings wait in the
   * spool, durable; the screens and the rules engine do not wait for the sink). Default 500 ms.
   */
  drainLingerMs?: number;
  /** Sink retry backoff: from minBackoffMs (default 100) doubling to maxBackoffMs (default 30 s). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  maxPayloadBytes?: number;
  /** How far ahead of the hub a device clock may run before its readings are clock-suspect (HUB_MAX_CLOCK_SKEW_S). Default 5 min. */
  maxClockSkewMs?: number;
  /** How often refusals are recorded in the store. Default 200 ms. */
  refusalFlushIntervalMs?: number;
  /** How often coalesced device states are written. Default 1,000 ms. */
  stateFlushIntervalMs?: number;
  /** Refusals kept for recording while the store is unreachable. Default 10,000. */
  maxPendingRefusals?: number;
  logger?: SpoolLogger;
  now?: () => number;
  /** Device models' codecs (network uplinks carrying frames); without it such frames are refused. */
  codecs?: CodecRegistry | null;
  /** Largest network-server / platform message accepted. Default 64 KiB. */
  maxNetworkMessageBytes?: number;
  /** How long a network uplink's key is remembered against redelivery. Default 24 h (at most 200,000 keys). */
  dedupWindowMs?: number;
}

/** A message a network server published on the hub's broker (a service account's integration topic). */
export type IntegrationMessage = DeviceMessage;

export type ReadingsListener = (readings: Reading[]) => void;

export interface IngestStats {
  /** Messages handed to `handle`. */
  handled: number;
  /** Readings appended to the spool (durable). */
  accepted: number;
  /** The same, by device kind and message kind (`smoke/event`, ...). */
  acceptedByKind: Record<string, number>;
  refused: RefusalStats;
  devices: number;
  pendingStates: number;
  /** Failed writes of refusals or device states to the store (retried). */
  flushFailures: number;
  spool: SpoolStats | null;
  drain: DrainStats | null;
  /** Network servers and platforms: uplinks, readings, duplicates, ignored, unclaimed. */
  network: NetworkStats;
}

export interface Ingest {
  /** Opens the spool (replaying what it holds), loads the devices, starts the drain and the flushers. */
  start(): Promise<void>;
  /** Stops the drain, flushes refusals and device states, closes the spool. */
  stop(): Promise<void>;
  /**
   * Validates, enriches and spools one device message. Resolves once the reading is durable, or
   * once a refused message is recorded for batching. Rejects only with HUB_ERR_SPOOL_FULL (and,
   * on a failing disk or before start, HUB_ERR_SPOOL_IO / HUB_ERR_NOT_READY): the broker then
   * withholds the PUBACK and the device redelivers.
   */
  handle(msg: DeviceMessage): Promise<void>;
  /**
   * A network server's or platform's uplink (ingest/src/sources/*), through the same validation,
   * tagging and spool as `handle`. Resolves once its readings are durable, or once it is refused
   * (unknown device: also listed unclaimed) or recognised as a redelivery. Rejects like `handle`.
   */
  handleNetwork(uplink: NetworkUplink): Promise<NetworkOutcome>;
  /** A source's verdict (refusal, ignored kind, uplink) on a raw message; `origin` for the refusal record. */
  handleSource(result: SourceResult, origin: { topic: string; clientId: string; payload: Uint8Array; rxMs: number }): Promise<NetworkOutcome>;
  /**
   * A message on a network-server integration topic (ChirpStack `application/+/device/+/event/+`,
   * TTS `v3/+/devices/+/+`), from a bridge or a service account on the hub's broker.
   */
  handleIntegration(msg: IntegrationMessage): Promise<void>;
  /** Reloads the device cache (after a site import); returns how many devices are known. */
  reloadDevices(): Promise<number>;
  /** The broker saw a device connect or disconnect: recorded in its state with the next flush. */
  noteConnection(deviceId: string, connected: boolean, atMs: number): void;
  stats(): IngestStats;
  /** Called with each batch after the sink stored it. Returns an unsubscribe function. */
  onReadings(listener: ReadingsListener): () => void;
  /**
   * Called with readings as soon as they are durable in the spool (one batch per group commit),
   * before the telemetry store has them: what the rules engine needs to page within milliseconds.
   * Readings replayed from a previous run (spooled, never confirmed, perhaps never evaluated) are
   * passed once too, as the drain confirms them. Returns an unsubscribe function.
   */
  onDurable(listener: ReadingsListener): () => void;
  /**
   * A named reader of the spool (declared in `spool.readers`), reading by position from `from`
   * (its owner's durable cursor; null: from the oldest unconfirmed reading). The spool keeps
   * every reading until each reader has confirmed it. Call after `start`.
   */
  openReader(name: string, from: SpoolPos | null): Promise<SpoolReader<Reading>>;
}
