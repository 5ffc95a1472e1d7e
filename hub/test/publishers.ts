import type { MqttClient } from 'mqtt';
import { uplinkTopic, type DeviceKind } from '@gridhub/core';
import { demoDeviceSecret } from '@gridhub/store';
import { connect } from './support.ts';

export interface TestDevice {
  id: string;
  kind: DeviceKind;
}

/** A valid telemetry payload for each kind (the contract's schemas; see core/src/payloads). */
export function telemetryFor(kind: DeviceKind, ts: number, seq: number): Record<string, unknown> {
  const base = { ts, seq };
  switch (kind) {
    case 'smoke':
      return { ...base, obscuration_pct: (seq % 50) / 10, temperature_c: 20 + (seq % 10), battery_pct: 90 };
    case 'bin':
      return { ...base, fill_pct: seq % 100, temperature_c: 18, tilted: false, battery_pct: 70 };
    case 'manhole':
      return { ...base, tilt_deg: seq % 5, open: false, water_level_cm: 20, battery_pct: 80 };
    case 'ebike':
      return { ...base, camera_ok: true };
  }
}

export interface StreamResult {
  /** Per device, the seqs the broker acknowledged (PUBACK). */
  acked: Map<string, Set<number>>;
  sent: number;
  errors: number;
}

/**
 * Each device on its own MQTT connection publishes QoS 1 telemetry, the total paced at
 * `ratePerSec` for `durationMs` (or until `count` per device). Records what was acknowledged.
 */
export async function qos1Stream(
  url: string,
  devices: TestDevice[],
  opts: { ratePerSec: number; durationMs?: number; perDevice?: number; seqStart?: number; onTick?: (elapsedMs: number) => void; secretOf?: (id: string) => string },
): Promise<StreamResult> {
  const clients: MqttClient[] = [];
  for (let i = 0; i < devices.length; i += 20) {
    clients.push(...(await Promise.all(devices.slice(i, i + 20).map((d) => connect(url, { clientId: d.id, username: d.id, password: (opts.secretOf ?? demoDeviceSecret)(d.id), reconnectPeriod: 0 })))));
  }
  const acked = new Map(devices.map((d) => [d.id, new Set<number>()]));
  let sent = 0;
  let errors = 0;
  const pending: Promise<void>[] = [];
  const started = Date.now();
  const seq = new Array(devices.length).fill(opts.seqStart ?? 0);
  const tickMs = 10;
  for (;;) {
    const elapsed = Date.now() - started;
    opts.onTick?.(elapsed);
    if (opts.durationMs !== undefined && elapsed >= opts.durationMs) break;
    if (opts.perDevice !== undefined && sent >= opts.perDevice * devices.length) break;
    // Paced by the clock, not by ticks: a timer that fires late (a busy machine) sends what is
    // owed since the start, so the offered rate holds however long each tick really took.
    let owed = Math.floor((opts.ratePerSec * elapsed) / 1000) - sent;
    while (owed > 0) {
      owed -= 1;
      const i = sent % devices.length;
      const d = devices[i]!;
      const s = ++seq[i];
      sent++;
      const payload = JSON.stringify(telemetryFor(d.kind, Date.now(), s));
      pending.push(
        clients[i]!.publishAsync(uplinkTopic(d.kind, d.id, 'telemetry'), payload, { qos: 1 }).then(
          () => void acked.get(d.id)!.add(s),
          () => void errors++,
        ),
      );
      if (opts.perDevice !== undefined && sent >= opts.perDevice * devices.length) break;
    }
    await new Promise((r) => setTimeout(r, tickMs));
  }
  // Unacknowledged messages stay unacknowledged: give in-flight ones time, then stop.
  await Promise.race([Promise.allSettled(pending), new Promise((r) => setTimeout(r, 60_000))]);
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  return { acked, sent, errors };
}

export function countAcked(acked: Map<string, Set<number>>): number {
  let n = 0;
  for (const s of acked.values()) n += s.size;
  return n;
}
