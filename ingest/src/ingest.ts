import {
  decodePayload,
  DEFAULT_MAX_CLOCK_SKEW_MS,
  DEFAULT_MAX_PAYLOAD_BYTES,
  HubError,
  parseUplinkTopic,
  payloadHead,
  toHubError,
  type DeviceInfo,
  type Reading,
  withJudgedClock,
} from '@gridhub/core';
import type { HubStore } from '@gridhub/store';
import type { DeviceMessage } from '@gridhub/broker';
import { HANDLERS } from './handlers/index.ts';
import { Periodic } from './periodic.ts';
import { RefusalLog, type RefusalStats } from './refusals.ts';
import { Drain, type DrainStats } from './spool/drain.ts';
import { consoleLogger, Spool, type SpoolLogger, type SpoolOptions, type SpoolPos, type SpoolReader, type SpoolStats } from './spool/spool.ts';
import { StateCoalescer } from './state.ts';
import type { TelemetrySink } from './types.ts';

/** The few store methods ingest calls. */
export type IngestStore = Pick<HubStore, 'allDeviceInfo' | 'recordRefusals' | 'upsertDeviceStates'>;

export interface IngestOptions {
  store: IngestStore;
  sink: TelemetrySink;
  /** Where and how big the spool is (see SpoolOptions). */
  spool: Omit<SpoolOptions, 'logger' | 'now'>;
  /** Readings per sink write. Default 5,000. */
  batchSize?: number;
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
}

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

export function createIngest(opts: IngestOptions): Ingest {
  const log = opts.logger ?? consoleLogger;
  const now = opts.now ?? Date.now;
  const maxPayloadBytes = opts.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const maxClockSkewMs = opts.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
  const refusals = new RefusalLog(opts.maxPendingRefusals ?? 10_000);
  const states = new StateCoalescer();
  const listeners = new Set<ReadingsListener>();
  const durableListeners = new Set<ReadingsListener>();
  let durableBatch: Reading[] = [];
  let replayedToHandOut = 0;
  const notify = (set: Set<ReadingsListener>, readings: Reading[]) => {
    for (const l of set) {
      try {
        l(readings);
      } catch (err) {
        log.error({ err: String(err) }, 'a readings listener threw');
      }
    }
  };
  /** Everything that became durable in one group commit resolves in one turn: one batch. */
  const flushDurable = () => {
    const batch = durableBatch;
    durableBatch = [];
    notify(durableListeners, batch);
  };
  let devices = new Map<string, DeviceInfo>();
  let spool: Spool<Reading> | null = null;
  let drain: Drain<Reading> | null = null;
  let handled = 0;
  let accepted = 0;
  const acceptedByKind: Record<string, number> = {};
  let flushFailures = 0;

  const refusalFlusher = batchFlusher(opts.refusalFlushIntervalMs ?? 200, refusals, (b) => opts.store.recordRefusals(b), 'recording refusals');
  const stateFlusher = batchFlusher(opts.stateFlushIntervalMs ?? 1000, states, (b) => opts.store.upsertDeviceStates(b), 'writing device states');

  /** Every interval: take what is pending and write it; on failure put it back for the next run. */
  function batchFlusher<T>(intervalMs: number, queue: { take(): T[]; restore(b: T[]): void }, write: (b: T[]) => Promise<void>, what: string) {
    let failing = 0;
    return new Periodic(intervalMs, async () => {
      const batch = queue.take();
      if (batch.length === 0) return;
      try {
        await write(batch);
        if (failing > 0) log.warn({ failures: failing }, `${what} works again`);
        failing = 0;
      } catch (err) {
        flushFailures++;
        queue.restore(batch);
        if (failing++ % 50 === 0) log.error({ err: String(err), items: batch.length, failures: failing }, `${what} failed; will retry`);
      }
    });
  }

  function refuse(msg: DeviceMessage, deviceId: string | null, err: unknown): null {
    const e = toHubError(err);
    refusals.add({
      topic: msg.topic,
      deviceId,
      clientId: msg.clientId || null,
      code: e.code,
      reason: e.message,
      head: payloadHead(msg.payload),
      bytes: msg.payload.byteLength,
      rxMs: msg.rxMs,
    });
    return null;
  }

  /** Topic, device, kind, payload, handler: a reading and a patch, or null when refused (and recorded). */
  function process(msg: DeviceMessage) {
    const topic = parseUplinkTopic(msg.topic);
    if (!topic) return refuse(msg, null, new HubError('HUB_ERR_TOPIC'));
    const device = devices.get(topic.deviceId);
    if (!device) return refuse(msg, topic.deviceId, new HubError('HUB_ERR_UNKNOWN_DEVICE', [topic.deviceId]));
    if (device.kind !== topic.kind) {
      return refuse(msg, topic.deviceId, new HubError('HUB_ERR_KIND_MISMATCH', [topic.deviceId, device.kind, topic.kind]));
    }
    try {
      const payload = decodePayload(topic.kind, topic.message, msg.payload, maxPayloadBytes);
      const out = HANDLERS[topic.message]({ device, topic, payload, rxMs: msg.rxMs });
      if ('refuse' in out) return refuse(msg, topic.deviceId, out.refuse);
      // Device clocks are evidence: an implausible one is stored at arrival, flagged, never refused.
      const reading = withJudgedClock(out.reading, device.installedAt, maxClockSkewMs);
      if (reading === out.reading) return out;
      const patch = { ...out.patch };
      if (patch.latestTsMs !== undefined) patch.latestTsMs = reading.tsMs;
      if (patch.lastEventMs !== undefined) patch.lastEventMs = reading.tsMs;
      return { reading, patch };
    } catch (err) {
      return refuse(msg, topic.deviceId, err);
    }
  }

  async function reloadDevices(): Promise<number> {
    const list = await opts.store.allDeviceInfo();
    devices = new Map(list.map((d) => [d.id, d]));
    return devices.size;
  }

  return {
    async start() {
      if (spool) return;
      await reloadDevices();
      const s = await Spool.open<Reading>({ ...opts.spool, logger: log, now });
      spool = s;
      replayedToHandOut = s.stats().replayed;
      drain = new Drain(s, {
        write: (readings) => opts.sink.write(readings),
        onConfirmed: (readings) => {
          if (replayedToHandOut > 0) {
            // The spool replays a previous run's records first: hand them to durable listeners once.
            const replayed = readings.slice(0, replayedToHandOut);
            replayedToHandOut -= replayed.length;
            notify(durableListeners, replayed);
          }
          notify(listeners, readings);
        },
        batchSize: opts.batchSize ?? 5000,
        minBackoffMs: opts.minBackoffMs ?? 100,
        maxBackoffMs: opts.maxBackoffMs ?? 30_000,
        logger: log,
        now,
      });
      refusalFlusher.start();
      stateFlusher.start();
    },

    async stop() {
      const s = spool;
      if (!s) return;
      await drain?.stop();
      await s.close();
      await refusalFlusher.stop();
      await stateFlusher.stop();
      spool = null;
    },

    async handle(msg: DeviceMessage): Promise<void> {
      handled++;
      const s = spool;
      if (!s) throw new HubError('HUB_ERR_NOT_READY', ['ingest is not started']);
      const out = process(msg);
      if (!out) return;
      await s.append(out.reading);
      accepted++;
      if (durableListeners.size > 0) {
        if (durableBatch.length === 0) setImmediate(flushDurable);
        durableBatch.push(out.reading);
      }
      const key = `${out.reading.kind}/${out.reading.message}`;
      acceptedByKind[key] = (acceptedByKind[key] ?? 0) + 1;
      states.add(out.patch);
    },

    reloadDevices,
    noteConnection(deviceId: string, connected: boolean, atMs: number): void {
      if (!devices.has(deviceId)) return;
      states.add(connected ? { deviceId, connected, lastSeenMs: atMs } : { deviceId, connected });
    },

    stats(): IngestStats {
      return {
        handled,
        accepted,
        acceptedByKind: { ...acceptedByKind },
        refused: refusals.stats(),
        devices: devices.size,
        pendingStates: states.size,
        flushFailures,
        spool: spool?.stats() ?? null,
        drain: drain?.stats() ?? null,
      };
    },

    async openReader(name, from) {
      if (!spool) throw new HubError('HUB_ERR_NOT_READY', ['ingest is not started']);
      return spool.reader(name, from);
    },

    onDurable(listener: ReadingsListener): () => void {
      durableListeners.add(listener);
      return () => durableListeners.delete(listener);
    },

    onReadings(listener: ReadingsListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
