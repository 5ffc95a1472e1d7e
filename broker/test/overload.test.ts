import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { hashSecret, newDeviceSecret, uplinkTopic } from '@gridhub/core';
import { createBroker, type DeviceCredentials, type HubBroker } from '../src/index.ts';
import { flood, type FloodPublisher } from './support/flood.ts';
import { rawClient, sleep } from './support/harness.ts';

/**
 * Overload: 20 raw publishers write PUBLISH packets as fast as their sockets drain, while one
 * subscriber listens to a single publisher's topic (so the fan-out bus has both matched and
 * unmatched traffic). Bare aedes 1.2 dies of it (mqemitter recursion); the hub's broker must
 * shed, count, never PUBACK what ingest did not take, and still serve a fresh client after.
 */
const PUBLISHERS = 20;
const FLOOD_MS = 8_000;
const payload = Buffer.from('{"seq":1,"ts":1700000000000,"smoke":0.01,"battery":90}');

describe('overload', () => {
  it('premise: bare aedes 1.2 crashes under this flood (RangeError in mqemitter)', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/bare-aedes.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          const m = /PORT (\d+)/.exec(d.toString());
          if (m) resolve(Number(m[1]));
        });
        child.once('exit', () => reject(new Error(`bare aedes exited early: ${stderr}`)));
      });
      const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'sub', reconnectPeriod: 0 });
      await sub.subscribeAsync('t/0', { qos: 0 });
      const publishers = Array.from({ length: PUBLISHERS }, (_, i) => ({ clientId: `p${i}`, topic: `t/${i}` }));
      const result = await Promise.race([flood({ port, publishers, durationMs: 15_000, qos: 0, payload }), exited]);
      sub.end(true);
      const code = await Promise.race([exited, sleep(5_000).then(() => 'still running')]);
      expect(code, `bare aedes survived: ${JSON.stringify(result)}`).not.toBe('still running');
      expect(stderr).toContain('Maximum call stack size exceeded');
    } finally {
      child.kill('SIGKILL');
    }
  });

  describe('the hub broker', () => {
    let broker: HubBroker;
    let port: number;
    const devices: FloodPublisher[] = [];
    const creds = new Map<string, DeviceCredentials>();
    const ingested = { qos0: 0, qos1: 0 };
    beforeAll(async () => {
      for (let i = 0; i < PUBLISHERS + 1; i++) {
        const id = `smoke-flood-${i}`;
        const secret = newDeviceSecret();
        creds.set(id, { kind: 'smoke', secretHash: await hashSecret(secret) });
        devices.push({ clientId: id, username: id, password: secret, topic: uplinkTopic('smoke', id, 'telemetry') });
      }
      broker = await createBroker({
        deviceCredentials: async (id) => creds.get(id),
        // slow ingest: every message takes 20 ms (e.g. a group-commit fsync)
        onDeviceMessage: async (msg) => {
          await sleep(20);
          if (msg.qos === 0) ingested.qos0++;
          else ingested.qos1++;
        },
        users: [{ username: 'svc-watch', passwordHash: await hashSecret('svc-pw'), role: 'service' }],
      });
      port = await broker.listenTcp(0, '127.0.0.1');
    });
    afterAll(() => broker.close());

    it('sheds and counts, never PUBACKs what ingest did not take, and serves a fresh client afterwards', async () => {
      // a service watching one publisher's topic: matched and unmatched traffic on the fan-out bus
      const watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'svc-watch-1', username: 'svc-watch', password: 'svc-pw', reconnectPeriod: 0 });
      await watcher.subscribeAsync(devices[0]!.topic, { qos: 0 });
      let watched = 0;
      watcher.on('message', () => watched++);
      const fresh = devices[PUBLISHERS]!;
      const flooders = devices.slice(0, PUBLISHERS);
      const [q0, q1] = await Promise.all([
        flood({ port, publishers: flooders.slice(0, PUBLISHERS / 2), durationMs: FLOOD_MS, qos: 0, payload }),
        flood({ port, publishers: flooders.slice(PUBLISHERS / 2), durationMs: FLOOD_MS, qos: 1, payload }),
      ]);
      const s = broker.stats();
      console.info('overload', JSON.stringify({ q0, q1, ingested, watched, stats: s }));
      expect(watched).toBeGreaterThan(0);
      await watcher.endAsync(true);
      // offered far more than the rate limits allow
      expect(q0.sent).toBeGreaterThan(20 * 200 * (FLOOD_MS / 1000));
      expect(q0.connacksRefused + q1.connacksRefused).toBe(0);
      // QoS 0 over the per-device rate was dropped and counted
      expect(s.shed.rate).toBeGreaterThan(0);
      // QoS 1 was held back (or its client cut off), never dropped: each PUBACK follows an ingested message
      expect(s.throttled + s.shed.rate_disconnect).toBeGreaterThan(0);
      await sleep(500); // let in-flight onDeviceMessage calls finish
      expect(q1.pubacks).toBeGreaterThan(0);
      expect(q1.pubacks).toBeLessThanOrEqual(ingested.qos1);
      expect(ingested.qos0).toBeLessThan(q0.sent);

      // still alive and serving: a fresh device connects, publishes QoS 1 and gets its PUBACK
      const raw = rawClient(port);
      raw.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 30, clientId: fresh.clientId, username: fresh.username, password: Buffer.from(fresh.password!) });
      expect(await raw.next('connack')).toMatchObject({ returnCode: 0 });
      raw.send({ cmd: 'publish', topic: fresh.topic, payload, qos: 1, messageId: 42 });
      expect(await raw.next('puback')).toMatchObject({ messageId: 42 });
      raw.destroy();
    });
  });
});
