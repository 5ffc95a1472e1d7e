import { connect, type MqttClient } from 'mqtt';
import { uplinkTopic, type DeviceKind, type MessageKind } from '@gridhub/core';
import type { Clock } from './clock.ts';
import type { Body } from './models/types.ts';

/** What a simulated device needs to log in: its id (= client id = username), kind and secret. */
export interface DeviceCredentials {
  id: string;
  kind: DeviceKind;
  secret: string;
}

/** Counters shared by every device of a fleet (the progress line reads them). */
export interface FleetStats {
  connected: number;
  connects: number;
  reconnects: number;
  sent: number;
  acked: number;
  errors: number;
  lastError: string | null;
}

export function newStats(): FleetStats {
  return { connected: 0, connects: 0, reconnects: 0, sent: 0, acked: 0, errors: 0, lastError: null };
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000 };

/**
 * Exponential backoff with "equal jitter": half the capped delay fixed, half random, so that after
 * a power cut 10,000 devices spread out instead of knocking all at once on every round.
 * Pure: `u` is a uniform draw in [0, 1).
 */
export function backoffDelayMs(attempt: number, o: BackoffOptions, u: number): number {
  const capped = Math.min(o.maxMs, o.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(capped / 2 + (capped / 2) * u);
}

export interface SimDeviceOptions {
  /** mqtt://host:port */
  url: string;
  clock: Clock;
  stats?: FleetStats;
  /** QoS of telemetry (events and status are always QoS 1). Default 1. */
  telemetryQos?: 0 | 1;
  backoff?: BackoffOptions;
  keepaliveS?: number;
  connectTimeoutMs?: number;
  /** Firmware version sent in the birth message. */
  fw?: string;
  /** Remember which seqs the hub acknowledged (for load runs that check storage). */
  recordAcks?: boolean;
  /** Uniform [0,1) source for backoff jitter (default Math.random). */
  random?: () => number;
}

/**
 * One simulated device: its own MQTT connection (client id = username = device id, password =
 * secret), a retained birth `{"state":"online"}` on its status topic after each connect, the
 * will `{"state":"offline"}` registered at connect, reconnection with backoff and jitter, and a
 * message counter `seq` that keeps counting across reconnects.
 */
export class SimDevice {
  readonly id: string;
  readonly kind: DeviceKind;
  seq = 0;
  /** With `recordAcks`: seqs of telemetry and events the broker acknowledged (not status). */
  readonly ackedSeqs: number[] = [];
  private client: MqttClient | null = null;
  private stopped = true;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private isConnected = false;
  private readonly stats: FleetStats;
  private connectWaiters: Array<() => void> = [];

  constructor(readonly creds: DeviceCredentials, private readonly o: SimDeviceOptions) {
    this.id = creds.id;
    this.kind = creds.kind;
    this.stats = o.stats ?? newStats();
  }

  get connected(): boolean {
    return this.isConnected;
  }

  /** Connects (or reconnects after drop); resolves at the first CONNACK accepted. */
  start(): Promise<void> {
    const ready = this.untilConnected();
    if (!this.stopped) return ready;
    this.stopped = false;
    if (this.client) this.reconnectNow();
    else this.client = this.createClient();
    return ready;
  }

  untilConnected(): Promise<void> {
    if (this.isConnected) return Promise.resolve();
    return new Promise((resolve) => this.connectWaiters.push(resolve));
  }

  private createClient(): MqttClient {
    const status = uplinkTopic(this.kind, this.id, 'status');
    const client = connect(this.o.url, {
      clientId: this.id,
      username: this.id,
      password: this.creds.secret,
      protocolVersion: 4,
      clean: true,
      keepalive: this.o.keepaliveS ?? 60,
      connectTimeout: this.o.connectTimeoutMs ?? 30_000,
      reconnectPeriod: 0, // we reconnect ourselves, with backoff and jitter
      will: { topic: status, payload: Buffer.from(JSON.stringify({ state: 'offline' })), qos: 1, retain: true },
    });
    client.on('connect', () => this.onConnect());
    client.on('close', () => this.onClose());
    client.on('error', (err) => this.noteError(err));
    return client;
  }

  private onConnect(): void {
    this.isConnected = true;
    this.attempt = 0;
    this.stats.connected++;
    this.stats.connects++;
    const birth: Body = { state: 'online', ...(this.o.fw ? { fw: this.o.fw } : {}) };
    void this.publish('status', birth, { qos: 1, retain: true }).catch(() => undefined);
    const waiters = this.connectWaiters;
    this.connectWaiters = [];
    for (const w of waiters) w();
  }

  private onClose(): void {
    if (this.isConnected) {
      this.isConnected = false;
      this.stats.connected--;
    }
    if (this.stopped || this.reconnectTimer) return;
    const delay = backoffDelayMs(this.attempt++, this.o.backoff ?? DEFAULT_BACKOFF, (this.o.random ?? Math.random)());
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.stopped) return;
      this.stats.reconnects++;
      this.reconnectNow();
    }, delay);
  }

  private reconnectNow(): void {
    // The private _reconnect keeps the outgoing store, so unacknowledged QoS 1 messages are resent
    // (client.reconnect() would drop them). Same seq and ts: the hub stores them once.
    (this.client as unknown as { _reconnect(): void })._reconnect();
  }

  private noteError(err: Error): void {
    this.stats.errors++;
    this.stats.lastError = `${this.id}: ${err.message}`;
  }

  /**
   * Publishes `body` with `ts` (simulated clock unless given) and the next `seq`; resolves on PUBACK.
   * `ts` is never later than the real clock, whatever the speed: a simulation at x60 runs its
   * models ahead, but a device does not date a reading in the future (screens would show "no data"
   * for readings ahead of their window, and the hub would judge them late).
   */
  publish(message: MessageKind, body: Body, opts: { qos?: 0 | 1; retain?: boolean; tsMs?: number } = {}): Promise<number> {
    const seq = this.seq;
    this.seq = (this.seq + 1) % 4_294_967_296;
    const ts = Math.min(opts.tsMs ?? this.o.clock.now(), Date.now());
    const payload = JSON.stringify({ ...body, ts, seq });
    const qos = opts.qos ?? (message === 'telemetry' ? (this.o.telemetryQos ?? 1) : 1);
    return this.send(uplinkTopic(this.kind, this.id, message), payload, qos, opts.retain ?? false).then(() => {
      if (this.o.recordAcks && message !== 'status') this.ackedSeqs.push(seq);
      return seq;
    });
  }

  /** Publishes bytes exactly as given (malformed firmware); resolves on PUBACK. */
  publishRaw(message: MessageKind, payload: Uint8Array, qos: 0 | 1 = 1): Promise<void> {
    return this.send(uplinkTopic(this.kind, this.id, message), Buffer.from(payload), qos, false);
  }

  private send(topic: string, payload: string | Buffer, qos: 0 | 1, retain: boolean): Promise<void> {
    const client = this.client;
    if (!client) return Promise.reject(new Error(`${this.id} was never started`));
    this.stats.sent++;
    return new Promise((resolve, reject) => {
      client.publish(topic, payload, { qos, retain }, (err) => {
        if (err) {
          this.noteError(err);
          reject(err);
        } else {
          this.stats.acked++;
          resolve();
        }
      });
    });
  }

  /** Abrupt loss (power cut, radio gone): no DISCONNECT, so the broker publishes the will. Stays down until start(). */
  drop(): void {
    this.stopped = true;
    this.clearReconnect();
    this.client?.stream?.destroy();
  }

  /** Clean shutdown: a retained offline status, then DISCONNECT (the will is not sent). */
  async stop(opts: { announce?: boolean } = {}): Promise<void> {
    this.stopped = true;
    this.clearReconnect();
    const client = this.client;
    if (!client) return;
    if (opts.announce !== false && this.isConnected) {
      await Promise.race([
        this.publish('status', { state: 'offline', reason: 'shutdown' }, { qos: 1, retain: true }).catch(() => undefined),
        new Promise((r) => setTimeout(r, 2000)),
      ]);
    }
    await new Promise<void>((resolve) => client.end(true, {}, () => resolve()));
    this.client = null;
    if (this.isConnected) {
      this.isConnected = false;
      this.stats.connected--;
    }
  }

  private clearReconnect(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }
}
