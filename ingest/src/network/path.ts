import { HUB_ERRORS, HubError, toHubError, validatePayload, type HubErrorCode, type DeviceInfo, type MessageKind } from '@gridhub/core';
import type { DeviceStatePatch } from '@gridhub/store';
import { HANDLERS } from '../handlers/index.ts';
import type { HandlerOutput } from '../handlers/index.ts';
import type { CodecRegistry, ContractMessage, DecodeOutcome } from '@gridhub/codecs';
import type { DedupWindow } from './dedup.ts';
import type { Network, NetworkUplink, UplinkIdentity } from './uplink.ts';

type Accepted = Exclude<HandlerOutput, { refuse: HubError }>;

export interface NetworkPathDeps {
  codecs: CodecRegistry | null;
  device(identity: UplinkIdentity): DeviceInfo | undefined;
  /** Records a refusal of this uplink (topic = its origin). */
  refuse(u: NetworkUplink, deviceId: string | null, err: unknown): void;
  /** Notes an identity in no device of the site (listed as unclaimed). */
  unclaimed(u: NetworkUplink): void;
  /** Appends the readings to the spool; resolves once all are durable (then counted and handed on). */
  commit(outs: Accepted[]): Promise<void>;
  state(patch: DeviceStatePatch): void;
  dedup: DedupWindow;
  now(): number;
}

export interface NetworkStats {
  /** Uplinks handed in, by network. */
  uplinks: Partial<Record<Network, number>>;
  /** Readings spooled from them, by network. */
  readings: Partial<Record<Network, number>>;
  /** Redeliveries acknowledged without ingesting them again. */
  duplicates: number;
  /** Messages that carry no reading (ChirpStack txack/log, TTS down/*), by kind. */
  ignored: Record<string, number>;
  unclaimed: number;
  dedupKeys: number;
}

/** What became of one uplink: what an HTTP push answers (a PUBACK says only "durable or refused"). */
/** A codec's `{code, message}` as a coded error: its own HUB_ERR_CODEC_* code when it is one. */
function codecError(model: string, e: { code: string; message: string }): HubError {
  const code = (e.code in HUB_ERRORS ? e.code : 'HUB_ERR_CODEC_DECODE') as HubErrorCode;
  const err = new HubError(code, [model, e.message.slice(0, 300)]);
  // the codec's message is already written from its code's template
  err.message = e.message.slice(0, 400);
  return err;
}

export type NetworkOutcome =
  | { status: 'spooled'; readings: number; refused: HubError[] }
  | { status: 'duplicate' }
  | { status: 'refused'; error: HubError }
  | { status: 'ignored'; kind: string };

const IDENTITY_LABEL: Record<UplinkIdentity['type'], string> = { devEui: 'DevEUI', imei: 'IMEI', platformDeviceId: 'platform device id', deviceId: 'id' };

/**
 * One network uplink into the same path as a device's own MQTT message: find the device by its
 * network identity (else refuse it as unclaimed), check it may arrive from that application,
 * skip a redelivery, turn the frame into contract messages with the device's model (the network's
 * decoded object when given, else its bytes), then for each message the same schema check and
 * handler as `ingest.handle`, and spool. Resolves once every reading of the uplink is durable.
 */
export function createNetworkPath(deps: NetworkPathDeps) {
  const inFlight = new Map<string, Promise<NetworkOutcome>>();
  const stats: NetworkStats = { uplinks: {}, readings: {}, duplicates: 0, ignored: {}, unclaimed: 0, dedupKeys: 0 };

  async function messagesOf(device: DeviceInfo, u: NetworkUplink, refuse: (err: unknown) => void): Promise<ContractMessage[] | null> {
    const c = u.content;
    if (c.type === 'messages') return c.messages;
    if (c.type === 'seen') return [];
    const model = device.model;
    if (!model) {
      refuse(new HubError('HUB_ERR_DEVICE_MODEL', [device.id, 'has no model in the site, so its frames cannot be decoded']));
      return null;
    }
    if (!deps.codecs?.has(model)) {
      refuse(new HubError('HUB_ERR_CODEC_UNKNOWN_MODEL', [model]));
      return null;
    }
    const params = { ...device.params, ...(device.binDepthMm !== null ? { binDepthMm: device.binDepthMm } : {}), ...(device.sensorOffsetMm !== null ? { sensorOffsetMm: device.sensorOffsetMm } : {}) };
    let outcome: DecodeOutcome;
    try {
      const decoded = c.decoded ?? null;
      if (decoded) outcome = deps.codecs.map(model, decoded, params);
      else if (c.type === 'frame') {
        const fPort = c.frame.fPort ?? (typeof device.params.f_port === 'number' ? device.params.f_port : 1);
        outcome = await deps.codecs.decode(model, { fPort, bytes: c.frame.bytes }, params);
      } else return [];
    } catch (err) {
      refuse(new HubError('HUB_ERR_CODEC_THREW', [model, err instanceof Error ? err.message.slice(0, 200) : 'codec failed']));
      return null;
    }
    // each codec error recorded with its own code, even when some messages came out: the frame
    // was not fully understood
    for (const e of outcome.errors) refuse(codecError(model, e));
    return outcome.messages.length > 0 || outcome.errors.length === 0 ? outcome.messages : null;
  }

  async function ingest(device: DeviceInfo, u: NetworkUplink, key: string | null): Promise<NetworkOutcome> {
    const refused: HubError[] = [];
    const refuse = (err: unknown) => {
      refused.push(toHubError(err));
      deps.refuse(u, device.id, err);
    };
    const messages = await messagesOf(device, u, refuse);
    if (messages === null) return { status: 'refused', error: refused[0] ?? new HubError('HUB_ERR_CODEC_DECODE', [device.model ?? '?', 'no messages']) };
    const outs: Accepted[] = [];
    messages.forEach((m, i) => {
      const message: MessageKind = m.channel;
      // the network's time and counter: a replay of this uplink is the same (device, ts, seq) and
      // overwrites itself; the i-th message of one frame one millisecond on, so none collide
      const payload = { ...m.payload, ts: u.tsMs + i, seq: u.seq };
      try {
        validatePayload(device.kind, message, payload);
        const out = HANDLERS[message]({ device, topic: { kind: device.kind, deviceId: device.id, message }, payload, rxMs: u.rxMs });
        if ('refuse' in out) refuse(out.refuse);
        else outs.push(out);
      } catch (err) {
        refuse(err);
      }
    });
    if (outs.length === 0 && refused.length > 0) return { status: 'refused', error: refused[0]! };
    await deps.commit(outs);
    stats.readings[u.network] = (stats.readings[u.network] ?? 0) + outs.length;
    const patch: DeviceStatePatch = { deviceId: device.id, lastSeenMs: u.rxMs };
    if (u.radio) patch.radio = { ...u.radio, network: u.network, atMs: u.rxMs };
    if (u.content.type === 'seen' && u.content.batteryPct !== undefined) patch.batteryPct = u.content.batteryPct;
    deps.state(patch);
    if (key) {
      deps.dedup.add(key, deps.now());
      stats.dedupKeys = deps.dedup.size;
    }
    return { status: 'spooled', readings: outs.length, refused };
  }

  return {
    stats: (): NetworkStats => ({ ...stats, uplinks: { ...stats.uplinks }, readings: { ...stats.readings }, ignored: { ...stats.ignored }, dedupKeys: deps.dedup.size }),

    ignored(kind: string): NetworkOutcome {
      stats.ignored[kind] = (stats.ignored[kind] ?? 0) + 1;
      return { status: 'ignored', kind };
    },

    async handle(u: NetworkUplink): Promise<NetworkOutcome> {
      stats.uplinks[u.network] = (stats.uplinks[u.network] ?? 0) + 1;
      let device: DeviceInfo | undefined;
      for (const id of [u.identity, ...(u.alternatives ?? [])]) if ((device = deps.device(id))) break;
      if (!device) {
        stats.unclaimed++;
        deps.unclaimed(u);
        const error = new HubError('HUB_ERR_UNCLAIMED_DEVICE', [IDENTITY_LABEL[u.identity.type], u.identity.value]);
        deps.refuse(u, null, error);
        return { status: 'refused', error };
      }
      if (device.networkApp !== null && u.application !== null && device.networkApp !== u.application) {
        const error = new HubError('HUB_ERR_NETWORK_MISMATCH', [`device ${device.id} belongs to application ${device.networkApp}, not ${u.application}`]);
        deps.refuse(u, device.id, error);
        return { status: 'refused', error };
      }
      const key = u.key === null ? null : `${device.id}|${u.key}`;
      if (key === null) return ingest(device, u, null);
      if (deps.dedup.has(key, deps.now())) {
        stats.duplicates++;
        return { status: 'duplicate' };
      }
      const running = inFlight.get(key);
      if (running) {
        // the same uplink twice at once (a redelivery racing the first): acknowledged when the first is durable
        stats.duplicates++;
        return running.then(() => ({ status: 'duplicate' }) as const);
      }
      const work = ingest(device, u, key).finally(() => inFlight.delete(key));
      inFlight.set(key, work);
      return work;
    },
  };
}

export type NetworkPath = ReturnType<typeof createNetworkPath>;
