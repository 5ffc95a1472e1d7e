import {
  decodePayload,
  DEFAULT_MAX_CLOCK_SKEW_MS,
  identityKey,
  parseIntegrationTopic,
  DEFAULT_MAX_PAYLOAD_BYTES,
  HubError,
  parseUplinkTopic,
  payloadHead,
  toHubError,
  type DeviceInfo,
  type Reading,
  withJudgedClock,
} from '@gridhub/core';
import type { UnclaimedDevice } from '@gridhub/store';
import type { DeviceMessage } from '@gridhub/broker';
import { HANDLERS, type HandlerOutput } from './handlers/index.ts';
import { DedupWindow } from './network/dedup.ts';
import { createNetworkPath, type NetworkOutcome } from './network/path.ts';
import type { NetworkUplink, SourceResult, UplinkIdentity } from './network/uplink.ts';
import { parseChirpstack } from './sources/chirpstack.ts';
import { DEFAULT_MAX_NETWORK_MESSAGE_BYTES } from './sources/common.ts';
import { parseTts } from './sources/tts.ts';
import { Periodic } from './periodic.ts';
import { RefusalLog } from './refusals.ts';
import { Drain } from './spool/drain.ts';
import { consoleLogger, Spool } from './spool/spool.ts';
import { StateCoalescer } from './state.ts';
import type { Ingest, IngestOptions, IngestStats, IntegrationMessage, ReadingsListener } from './types.ts';

/** IngestOptions.drainLingerMs by default: telemetry reaches the sink within about half a second of its PUBACK. */
export const DEFAULT_DRAIN_LINGER_MS = 500;

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
  /** identityKey (devEui:..., imei:..., platformDeviceId:...) -> device */
  let byIdentity = new Map<string, DeviceInfo>();
  const maxNetworkBytes = opts.maxNetworkMessageBytes ?? DEFAULT_MAX_NETWORK_MESSAGE_BYTES;
  const dedupWindowMs = opts.dedupWindowMs ?? 24 * 3600_000;
  const dedup = new DedupWindow(dedupWindowMs, 200_000);
  const unclaimedQueue = new SightingQueue(1000);
  let lastKeyPruneMs = 0;
  let spool: Spool<Reading> | null = null;
  let drain: Drain<Reading> | null = null;
  let handled = 0;
  let accepted = 0;
  const acceptedByKind: Record<string, number> = {};
  let flushFailures = 0;

  const refusalFlusher = batchFlusher(opts.refusalFlushIntervalMs ?? 200, refusals, (b) => opts.store.recordRefusals(b), 'recording refusals');
  const stateFlusher = batchFlusher(opts.stateFlushIntervalMs ?? 1000, states, (b) => opts.store.upsertDeviceStates(b), 'writing device states');
  const networkFlushers = [
    batchFlusher(opts.refusalFlushIntervalMs ?? 200, unclaimedQueue, (b) => opts.store.recordUnclaimed?.(b) ?? Promise.resolve(), 'recording unclaimed devices'),
    batchFlusher(opts.stateFlushIntervalMs ?? 1000, dedup, async (b) => {
      await opts.store.recordUplinkKeys?.(b);
      // keys older than the window are forgotten, hourly
      if (opts.store.pruneUplinkKeys && now() - lastKeyPruneMs > 3600_000) {
        lastKeyPruneMs = now();
        await opts.store.pruneUplinkKeys(lastKeyPruneMs - dedupWindowMs);
      }
    }, 'recording uplink keys'),
  ];

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

  /** Appends a handler's reading (durable when this resolves), counts it, queues its state patch. */
  async function commit(s: Spool<Reading>, out: Exclude<HandlerOutput, { refuse: unknown }>): Promise<void> {
    await s.append(out.reading);
    accepted++;
    if (durableListeners.size > 0) {
      if (durableBatch.length === 0) setImmediate(flushDurable);
      durableBatch.push(out.reading);
    }
    const key = `${out.reading.kind}/${out.reading.message}`;
    acceptedByKind[key] = (acceptedByKind[key] ?? 0) + 1;
    states.add(out.patch);
  }

  const network = createNetworkPath({
    codecs: opts.codecs ?? null,
    device: (id: UplinkIdentity) => (id.type === 'deviceId' ? devices.get(id.value) : byIdentity.get(identityKey(id))),
    refuse: (u, deviceId, err) => refuse({ topic: u.origin, payload: Buffer.from(u.raw.buffer, u.raw.byteOffset, u.raw.byteLength), qos: 1, clientId: u.clientId, rxMs: u.rxMs }, deviceId, err),
    unclaimed: (u) =>
      unclaimedQueue.add({
        network: u.network, identityType: u.identity.type === 'deviceId' ? 'platformDeviceId' : u.identity.type, identity: u.identity.value,
        firstSeenMs: u.rxMs, lastSeenMs: u.rxMs, count: 1, origin: u.origin, detail: u.detail,
      }),
    commit: async (outs) => {
      const s = spool;
      if (!s) throw new HubError('HUB_ERR_NOT_READY', ['ingest is not started']);
      await Promise.all(outs.map((o) => commit(s, o)));
    },
    state: (patch) => states.add(patch),
    dedup,
    now,
  });

  async function handleSource(result: SourceResult, origin: { topic: string; clientId: string; payload: Uint8Array; rxMs: number }): Promise<NetworkOutcome> {
    handled++;
    if (!spool) throw new HubError('HUB_ERR_NOT_READY', ['ingest is not started']);
    if ('uplink' in result) return network.handle(result.uplink);
    if ('ignore' in result) return network.ignored(result.ignore);
    refuse({ topic: origin.topic, payload: Buffer.from(origin.payload.buffer, origin.payload.byteOffset, origin.payload.byteLength), qos: 1, clientId: origin.clientId, rxMs: origin.rxMs }, null, result.refuse);
    return { status: 'refused', error: result.refuse };
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
    const ids = new Map<string, DeviceInfo>();
    for (const d of list) {
      if (d.devEui) ids.set(identityKey({ type: 'devEui', value: d.devEui }), d);
      if (d.imei) ids.set(identityKey({ type: 'imei', value: d.imei }), d);
      if (d.platformDeviceId) ids.set(identityKey({ type: 'platformDeviceId', value: d.platformDeviceId }), d);
    }
    byIdentity = ids;
    return devices.size;
  }

  return {
    async start() {
      if (spool) return;
      await reloadDevices();
      if (opts.store.recentUplinkKeys) {
        const since = now() - dedupWindowMs;
        await opts.store.pruneUplinkKeys?.(since);
        lastKeyPruneMs = now();
        dedup.load(await opts.store.recentUplinkKeys(since, 200_000));
      }
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
        lingerMs: opts.drainLingerMs ?? DEFAULT_DRAIN_LINGER_MS,
        minBackoffMs: opts.minBackoffMs ?? 100,
        maxBackoffMs: opts.maxBackoffMs ?? 30_000,
        logger: log,
        now,
      });
      refusalFlusher.start();
      stateFlusher.start();
      for (const f of networkFlushers) f.start();
    },

    async stop() {
      const s = spool;
      if (!s) return;
      await drain?.stop();
      await s.close();
      await refusalFlusher.stop();
      await stateFlusher.stop();
      for (const f of networkFlushers) await f.stop();
      spool = null;
    },

    async handle(msg: DeviceMessage): Promise<void> {
      handled++;
      const s = spool;
      if (!s) throw new HubError('HUB_ERR_NOT_READY', ['ingest is not started']);
      const out = process(msg);
      if (!out) return;
      await commit(s, out);
    },

    async handleNetwork(uplink: NetworkUplink): Promise<NetworkOutcome> {
      handled++;
      if (!spool) throw new HubError('HUB_ERR_NOT_READY', ['ingest is not started']);
      return network.handle(uplink);
    },

    handleSource,

    async handleIntegration(msg: IntegrationMessage): Promise<void> {
      const topic = parseIntegrationTopic(msg.topic);
      const origin = { topic: msg.topic, clientId: msg.clientId, payload: msg.payload, rxMs: msg.rxMs };
      if (!topic) {
        await handleSource({ refuse: new HubError('HUB_ERR_TOPIC') }, origin);
        return;
      }
      const result =
        topic.network === 'chirpstack'
          ? parseChirpstack(topic, msg.payload, msg.rxMs, msg.clientId, maxNetworkBytes)
          : parseTts(topic, msg.payload, msg.rxMs, msg.clientId, maxNetworkBytes);
      await handleSource(result, origin);
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
        network: network.stats(),
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

/**
 * Sightings of unclaimed identities waiting to be recorded, folded per identity (a flood from one
 * unknown device is one row with a count); at most `max` identities between flushes.
 */
class SightingQueue {
  private pending = new Map<string, UnclaimedDevice>();
  constructor(private readonly max: number) {}
  add(s: UnclaimedDevice): void {
    const key = `${s.network}|${s.identityType}|${s.identity}`;
    const prev = this.pending.get(key);
    if (prev) Object.assign(prev, { count: prev.count + s.count, lastSeenMs: Math.max(prev.lastSeenMs, s.lastSeenMs), origin: s.origin, detail: s.detail });
    else if (this.pending.size < this.max) this.pending.set(key, { ...s });
  }
  take(): UnclaimedDevice[] {
    const out = [...this.pending.values()];
    this.pending = new Map();
    return out;
  }
  restore(batch: UnclaimedDevice[]): void {
    for (const s of batch) this.add(s);
  }
}
