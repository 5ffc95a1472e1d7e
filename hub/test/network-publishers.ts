import mqtt from 'mqtt';
import { createCodecRegistry } from '@gridhub/codecs';
import { chirpstackUplink, ctwingDataReport } from '@gridhub/simulators';
import { APP, CTWING_DEVICE, CTWING_TOKEN, networkDevices, SERVICE } from './network-site.ts';

/** What the hub acknowledged: per device id, the network counters (fCnt, upPacketSN) PUBACKed / answered 200 spooled. */
export type Acked = Map<string, Set<number>>;

export function countAcked(acked: Acked): number {
  let n = 0;
  for (const s of acked.values()) n += s.size;
  return n;
}

/** Calls `send(n)` for n = 0, 1, ... paced at `ratePerSec` (10 ms ticks) for `durationMs`; the sends' promises. */
async function paced(opts: { ratePerSec: number; durationMs: number; onTick?: (elapsedMs: number) => void }, send: (n: number) => Promise<void>) {
  const pending: Promise<void>[] = [];
  let sent = 0;
  let owed = 0;
  const started = Date.now();
  for (;;) {
    const elapsed = Date.now() - started;
    opts.onTick?.(elapsed);
    if (elapsed >= opts.durationMs) break;
    owed += (opts.ratePerSec * 10) / 1000;
    for (; owed >= 1; owed -= 1) pending.push(send(sent++));
    await new Promise((r) => setTimeout(r, 10));
  }
  return { sent, pending };
}

/** The network time of uplink `n` (unique per device and counter, the same on a redelivery). */
export const uplinkTime = (base: number, n: number) => base + n * 10;

/**
 * ChirpStack publishing its MQTT integration JSON to the hub as a service account: one
 * connection, QoS 1, paced at `ratePerSec` over the built-in models' devices (quiet frames:
 * one telemetry reading each). Records what was PUBACKed; also returns every message sent, so a
 * test can redeliver them as ChirpStack would.
 */
export async function chirpstackStream(mqttUrl: string, opts: { ratePerSec: number; durationMs: number; baseMs: number; fCntStart?: number; onTick?: (elapsedMs: number) => void }) {
  const codecs = await createCodecRegistry();
  const devices = networkDevices();
  const frames = devices.map((d) => codecs.encode(d.sample.model, d.sample.normal));
  await codecs.close();
  const client = await mqtt.connectAsync(mqttUrl, { clientId: `cs-stream-${process.pid}`, username: SERVICE.username, password: SERVICE.password, reconnectPeriod: 0 });
  client.on('error', () => {});
  const acked: Acked = new Map(devices.map((d) => [d.id, new Set<number>()]));
  const sentMessages: { topic: string; payload: string }[] = [];
  let errors = 0;
  const { sent, pending } = await paced(opts, (n) => {
    const i = n % devices.length;
    const d = devices[i]!;
    const fCnt = (opts.fCntStart ?? 1) + Math.floor(n / devices.length);
    const f = frames[i]!;
    const m = chirpstackUplink(APP, { devEui: d.devEui, fCnt, fPort: f.fPort, bytes: f.bytes, timeMs: uplinkTime(opts.baseMs, fCnt) });
    sentMessages.push(m);
    return client.publishAsync(m.topic, m.payload, { qos: 1 }).then(() => void acked.get(d.id)!.add(fCnt), () => void errors++);
  });
  await Promise.race([Promise.allSettled(pending), new Promise((r) => setTimeout(r, 60_000))]);
  await client.endAsync(true).catch(() => undefined);
  return { acked, sent, errors, sentMessages };
}

/**
 * CTWing pushing dataReports over real HTTP, `concurrency` requests at a time, paced at
 * `ratePerSec`: upPacketSN counts up. A 200 answer with status spooled (or duplicate) is acknowledged.
 */
export async function ctwingStream(httpUrl: string, opts: { ratePerSec: number; durationMs: number; baseMs: number; snStart?: number; onTick?: (elapsedMs: number) => void }) {
  const codecs = await createCodecRegistry();
  const frame = codecs.encode('dingtek-dc410', { level: 1700, temperature: 21, angle: 0 });
  await codecs.close();
  const acked = new Set<number>();
  const bodies: string[] = [];
  let errors = 0;
  const { sent, pending } = await paced(opts, (n) => {
    const sn = (opts.snStart ?? 1) + n;
    const body = ctwingDataReport(CTWING_DEVICE, frame.bytes, sn, uplinkTime(opts.baseMs, sn));
    bodies.push(body);
    return fetch(`${httpUrl}/api/ingest/ctwing/${CTWING_TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(30_000) })
      .then(async (res) => {
        const answer = (await res.json()) as { status: string };
        if (res.status === 200 && (answer.status === 'spooled' || answer.status === 'duplicate')) acked.add(sn);
        else errors++;
      })
      .catch(() => void errors++);
  });
  await Promise.allSettled(pending);
  return { acked, sent, errors, bodies };
}
