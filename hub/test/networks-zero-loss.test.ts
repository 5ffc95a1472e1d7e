import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, serverAvailable, startInfluxd, stopInfluxdAndClean, tempDir, waitFor, type Influxd } from '@gridhub/testkit';
import { startProductionHub } from '../bench/proc.ts';
import { chirpstackStream, countAcked, ctwingStream, type Acked } from './network-publishers.ts';
import { CTWING_DEVICE, CTWING_TOKEN, DEFAULT_NETWORKS, networkDevices, SERVICE, writeNetworkFiles } from './network-site.ts';
import { TEST_ADMIN_PASSWORD, testHub } from './support.ts';

const root = join(import.meta.dirname, '..', '..');

/**
 * Per device, the seqs stored in InfluxDB's telemetry within one test's time range (each test
 * sends its uplinks at its own network times, [baseMs, baseMs + 30 min)).
 */
async function storedSeqs(influx: Influxd, ids: string[], baseMs: number): Promise<{ seqs: Map<string, number[]>; total: number }> {
  const rows = await influx.query(`SELECT "seq", "device" FROM "telemetry" WHERE "device" =~ /^(${ids.join('|')})$/ AND time >= ${baseMs}ms AND time < ${baseMs + 1_800_000}ms`);
  const seqs = new Map<string, number[]>();
  let total = 0;
  for (const [, seq, device] of (rows.results[0].series?.[0]?.values ?? []) as [number, number, string][]) {
    (seqs.get(device) ?? seqs.set(device, []).get(device)!).push(seq);
    total++;
  }
  return { seqs, total };
}

/** Every acknowledged (device, counter) stored, none twice. */
function checkExactlyOnce(acked: Acked, seqs: Map<string, number[]>): void {
  for (const [device, want] of acked) {
    const got = seqs.get(device) ?? [];
    expect(new Set(got).size, `${device}: a (device, seq) stored twice`).toBe(got.length);
    const have = new Set(got);
    const missing = [...want].filter((s) => !have.has(s));
    expect(missing, `${device}: acknowledged but not stored`).toEqual([]);
  }
}

const lorawanIds = networkDevices().map((d) => d.id);

/** The zero-loss tests of the native path (influx.test.ts, crash.test.ts), on the ChirpStack and CTWing paths. */
describe.skipIf(!serverAvailable('influxd'))('network paths: nothing acknowledged is lost, nothing stored twice', () => {
  let influx: Influxd;

  beforeAll(async () => {
    influx = await startInfluxd('gridhub');
  });
  afterAll(async () => {
    if (influx) await stopInfluxdAndClean(influx);
  });

  it('InfluxDB down for 12 s under ChirpStack (QoS 1) and CTWing (HTTP) streams: every acknowledged uplink stored once; redelivered, still once', { timeout: 240_000 }, async () => {
    const dir = tempDir('net-outage');
    const files = await writeNetworkFiles(dir);
    const hub = await testHub({ dataDir: dir, ...files, influx: { url: influx.url, api: 'v1', bucket: influx.db, org: null, token: null }, networks: { ...DEFAULT_NETWORKS, ctwingPushToken: CTWING_TOKEN } });
    try {
      const baseMs = Date.now() - 3600_000;
      let stopped = false;
      let restarted = false;
      const outage: Promise<void>[] = [];
      const onTick = (elapsed: number) => {
        if (!stopped && elapsed > 3_000) {
          stopped = true;
          outage.push(influx.stop());
        }
        if (stopped && !restarted && elapsed > 15_000) {
          restarted = true;
          outage.push(Promise.all(outage).then(() => influx.start()));
        }
      };
      const [cs, ct] = await Promise.all([
        chirpstackStream(hub.mqttUrl, { ratePerSec: 300, durationMs: 20_000, baseMs, onTick }),
        ctwingStream(hub.httpUrl, { ratePerSec: 50, durationMs: 20_000, baseMs }),
      ]);
      await Promise.all(outage);
      expect(hub.ingest.stats().drain?.failures ?? 0).toBeGreaterThan(0); // the sink really failed meanwhile
      const csAcked = countAcked(cs.acked);
      // through the outage every uplink is acknowledged: the spool takes them
      expect(cs.errors).toBe(0);
      expect(csAcked).toBe(cs.sent);
      expect(csAcked).toBeGreaterThan(2_000);
      expect(ct.errors).toBe(0);
      expect(ct.acked.size).toBe(ct.sent);
      expect(ct.acked.size).toBeGreaterThan(300);
      const ids = [...lorawanIds, CTWING_DEVICE.id];
      const ctAcked: Acked = new Map([[CTWING_DEVICE.id, ct.acked]]);
      await waitFor(async () => (await storedSeqs(influx, ids, baseMs)).total >= csAcked + ct.acked.size, 90_000, 'the spool drained into InfluxDB');
      // ChirpStack redelivers (a reconnect after lost PUBACKs) and CTWing retries: acknowledged, not stored again
      const redeliver = await mqtt.connectAsync(hub.mqttUrl, { clientId: 'cs-redeliver', username: SERVICE.username, password: SERVICE.password });
      for (const m of cs.sentMessages.slice(0, 500)) await redeliver.publishAsync(m.topic, m.payload, { qos: 1 });
      await redeliver.endAsync();
      for (const body of ct.bodies.slice(0, 50)) {
        const res = await fetch(`${hub.httpUrl}/api/ingest/ctwing/${CTWING_TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        expect(res.status).toBe(200);
      }
      await new Promise((r) => setTimeout(r, 2_000));
      const { seqs, total } = await storedSeqs(influx, ids, baseMs);
      checkExactlyOnce(cs.acked, seqs);
      checkExactlyOnce(ctAcked, seqs);
      // nothing stored that was not sent, and the redeliveries stored nothing new
      expect(total).toBeLessThanOrEqual(cs.sent + ct.sent);
      expect(hub.ingest.stats().network.duplicates).toBeGreaterThanOrEqual(550);
    } finally {
      await hub.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('the hub killed with kill -9 mid-stream', () => {
    let child: ChildProcess | null = null;
    const dir = tempDir('net-crash');
    afterAll(() => {
      child?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });

    it('keeps every acknowledged ChirpStack and CTWing uplink: after a restart all are in InfluxDB, once; redeliveries after the restart add nothing', { timeout: 240_000 }, async () => {
      const files = await writeNetworkFiles(dir);
      const httpPort = await freePort();
      const mqttPort = await freePort();
      const env = {
        HUB_DATA_DIR: dir, HUB_SITE: files.sitePath, HUB_MQTT_USERS: files.mqttUsersPath, HUB_CTWING_PUSH_TOKEN: CTWING_TOKEN,
        HUB_HTTP_PORT: String(httpPort), HUB_HTTP_HOST: '127.0.0.1', HUB_MQTT_PORT: String(mqttPort), HUB_MQTT_HOST: '127.0.0.1',
        INFLUX_URL: influx.url, INFLUX_API: 'v1', INFLUX_BUCKET: influx.db, HUB_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      };
      const start = async () => (child = (await startProductionHub(root, env, { httpPort })).child);
      await start();
      const baseMs = Date.now() - 7200_000;
      let killedAt = 0;
      const onTick = (elapsed: number) => {
        if (!killedAt && elapsed > 4_000) {
          killedAt = elapsed;
          child!.kill('SIGKILL');
        }
      };
      const httpUrl = `http://127.0.0.1:${httpPort}`;
      const [cs, ct] = await Promise.all([
        chirpstackStream(`mqtt://127.0.0.1:${mqttPort}`, { ratePerSec: 500, durationMs: 7_000, baseMs, onTick }),
        ctwingStream(httpUrl, { ratePerSec: 60, durationMs: 7_000, baseMs }),
      ]);
      expect(killedAt).toBeGreaterThan(0);
      expect(countAcked(cs.acked)).toBeGreaterThan(1_000);
      expect(countAcked(cs.acked)).toBeLessThan(cs.sent); // the kill really cut the stream
      expect(ct.acked.size).toBeGreaterThan(100);
      expect(ct.acked.size).toBeLessThan(ct.sent);

      await start();
      const ids = [...lorawanIds, CTWING_DEVICE.id];
      const ackedTotal = countAcked(cs.acked) + ct.acked.size;
      await waitFor(async () => (await storedSeqs(influx, ids, baseMs)).total >= ackedTotal, 90_000, 'the replayed spool in InfluxDB');
      // after the restart ChirpStack redelivers what it never saw acknowledged, and what it did
      const redeliver = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: 'cs-redeliver', username: SERVICE.username, password: SERVICE.password });
      for (const m of cs.sentMessages) await redeliver.publishAsync(m.topic, m.payload, { qos: 1 });
      await redeliver.endAsync();
      await waitFor(async () => (await storedSeqs(influx, ids, baseMs)).total >= cs.sent + ct.acked.size, 60_000, 'redelivered uplinks stored');
      await new Promise((r) => setTimeout(r, 1_500));
      const { seqs, total } = await storedSeqs(influx, ids, baseMs);
      checkExactlyOnce(cs.acked, seqs);
      checkExactlyOnce(new Map([[CTWING_DEVICE.id, ct.acked]]), seqs);
      // every ChirpStack uplink now stored exactly once (the redelivery filled what the kill cut), CTWing's acknowledged ones once
      expect(total).toBe(cs.sent + (seqs.get(CTWING_DEVICE.id)?.length ?? 0));
      child!.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
      child = null;
    });
  });
});
