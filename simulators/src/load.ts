import { createSimClock, type Clock } from './clock.ts';
import { Fleet } from './fleet.ts';
import { DeviceBehaviour, FIELD_PARAMS } from './models/index.ts';
import type { SimDeviceInfo } from './models/types.ts';
import { startProgress } from './progress.ts';
import { credentialsOf, type SiteDevice } from './site.ts';

export interface LoadOptions {
  /** mqtt://host:port of the hub's broker. */
  url: string;
  /** Devices with their secrets (from a site, e.g. `cachedGeneratedSite`). */
  devices: readonly SiteDevice[];
  /** Telemetry messages per second, all devices together. */
  ratePerSec: number;
  durationMs: number;
  qos: 0 | 1;
  seed?: number;
  clock?: Clock;
  connectConcurrency?: number;
  connectTimeoutMs?: number;
  /** Messages in flight (unacknowledged) at most; beyond it the run falls behind and says so. */
  maxInFlight?: number;
  /** After the run, how long to wait for the last acknowledgements (default 30 s). */
  drainTimeoutMs?: number;
  /** Live progress on stderr. */
  progress?: boolean;
  /** Close the connections at the end (default true). */
  close?: boolean;
}

export interface LoadReport {
  devices: number;
  connectMs: number;
  durationMs: number;
  /** Telemetry messages of the run (not births). */
  sent: number;
  acked: number;
  /** Publishes that failed (their promise rejected). */
  failed: number;
  /** Transport errors of any kind (refused logins, socket errors). */
  errors: number;
  reconnects: number;
  /** Acknowledged messages per second over the sending window. */
  ackedPerSec: number;
  /** Messages the pacing wanted to send but held back because too many were in flight. */
  heldBack: number;
  rssMb: number;
  heapMb: number;
  /** Per device, the seqs the broker acknowledged (QoS 1: PUBACK; QoS 0: written). */
  ackedSeqs: Map<string, number[]>;
  fleet: Fleet;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * "N devices at R msg/s total for T seconds at QoS q": connects every device (each its own MQTT
 * connection), publishes model telemetry round-robin at the given total rate, waits for the
 * acknowledgements, and reports what was acknowledged per device so a benchmark can check that
 * every one of them was stored.
 */
export async function runLoad(o: LoadOptions): Promise<LoadReport> {
  const clock = o.clock ?? createSimClock();
  const fleet = new Fleet(credentialsOf(o.devices), {
    url: o.url,
    clock,
    telemetryQos: o.qos,
    recordAcks: true,
    connectConcurrency: o.connectConcurrency ?? 200,
    keepaliveS: 120,
  });
  const progress = o.progress ? startProgress(fleet.stats, { total: o.devices.length }) : null;
  try {
    const { connectMs } = await fleet.connectAll({ timeoutMs: o.connectTimeoutMs ?? 180_000 });
    const behaviours: { b: DeviceBehaviour; id: string }[] = o.devices.map((d: SimDeviceInfo) => ({ b: new DeviceBehaviour(d, o.seed ?? 1, clock.now(), FIELD_PARAMS), id: d.id }));
    const maxInFlight = o.maxInFlight ?? 20_000;
    const own = { sent: 0, acked: 0, failed: 0 };
    let planned = 0;
    let heldBack = 0;
    let next = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < o.durationMs) {
      const due = Math.floor((o.ratePerSec * (performance.now() - t0)) / 1000);
      while (planned < due) {
        planned++;
        if (own.sent - own.acked - own.failed >= maxInFlight) {
          heldBack++;
          continue;
        }
        const { b, id } = behaviours[next++ % behaviours.length]!;
        const now = clock.now();
        own.sent++;
        fleet.device(id).publish('telemetry', b.sample(now), { tsMs: now }).then(
          () => own.acked++,
          () => own.failed++,
        );
      }
      await sleep(10);
    }
    const sendMs = performance.now() - t0;
    const drainUntil = performance.now() + (o.drainTimeoutMs ?? 30_000);
    while (own.acked + own.failed < own.sent && performance.now() < drainUntil) await sleep(50);
    const windowMs = performance.now() - t0;
    const mem = process.memoryUsage();
    const ackedSeqs = new Map<string, number[]>();
    for (const [id, d] of fleet.devices) ackedSeqs.set(id, [...d.ackedSeqs]);
    const report: LoadReport = {
      devices: o.devices.length,
      connectMs,
      durationMs: Math.round(sendMs),
      sent: own.sent,
      acked: own.acked,
      failed: own.failed,
      errors: fleet.stats.errors,
      reconnects: fleet.stats.reconnects,
      ackedPerSec: Math.round((own.acked * 1000) / windowMs),
      heldBack,
      rssMb: Math.round(mem.rss / 2 ** 20),
      heapMb: Math.round(mem.heapUsed / 2 ** 20),
      ackedSeqs,
      fleet,
    };
    return report;
  } finally {
    progress?.stop();
    if (o.close !== false) await fleet.close({ announce: false });
  }
}
