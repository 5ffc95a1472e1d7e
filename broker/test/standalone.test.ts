import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { freePort, waitFor } from '@gridhub/testkit';
import { connectAs, sleep } from './support/harness.ts';

/**
 * The standalone entry (`npm run broker` = tsx broker/src/main.ts) as a generic MQTT 3.1.1
 * broker for anonymous clients, in the manner of the Paho interoperability tests.
 */
describe('standalone broker (main.ts) with HUB_MQTT_ALLOW_ANONYMOUS=1', () => {
  let child: ChildProcess;
  let url: string;
  const clients: MqttClient[] = [];
  const client = async (clientId: string, opts: Record<string, unknown> = {}) => {
    const c = await connectAs(url, { clientId, ...opts });
    clients.push(c);
    return c;
  };
  const inbox = (c: MqttClient) => {
    const got: string[] = [];
    c.on('message', (topic) => got.push(topic));
    return got;
  };

  beforeAll(async () => {
    const port = await freePort();
    url = `mqtt://127.0.0.1:${port}`;
    const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
    child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: { ...process.env, HUB_MQTT_PORT: String(port), HUB_MQTT_HOST: '127.0.0.1', HUB_MQTT_ALLOW_ANONYMOUS: '1' },
      stdio: 'ignore',
    });
    await waitFor(async () => {
      const c = await connectAs(url, { clientId: 'probe', connectTimeout: 1_000 });
      await c.endAsync(true);
      return true;
    }, 20_000, 'standalone broker');
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  });

  it('wildcards: # and +/+ deliver; $-topics are not matched by # [MQTT-4.7.2-1]', async () => {
    const sub = await client('wild');
    const got = inbox(sub);
    await sub.subscribeAsync(['#', 'TopicA/+'], { qos: 1 });
    const pub = await client('pub');
    await pub.publishAsync('TopicA/B', 'x', { qos: 1 });
    await pub.publishAsync('$TopicA/B', 'x', { qos: 1 });
    await waitFor(() => got.length >= 1, 5_000, 'delivery');
    await sleep(200);
    expect(got.filter((t) => t === 'TopicA/B').length).toBeGreaterThanOrEqual(1);
    expect(got).not.toContain('$TopicA/B');
  });

  it('retained messages are delivered to a new subscriber', async () => {
    const pub = await client('retain-pub');
    await pub.publishAsync('Topic/C', 'kept', { qos: 1, retain: true });
    const sub = await client('retain-sub');
    const got = inbox(sub);
    await sub.subscribeAsync('Topic/C', { qos: 1 });
    await waitFor(() => got.includes('Topic/C'), 5_000, 'retained');
  });

  it('offline messages are queued for a persistent session (clean session 0)', async () => {
    const first = await client('offline-1', { clean: false });
    await first.subscribeAsync('TopicA/offline', { qos: 1 });
    await first.endAsync();
    const pub = await client('offline-pub');
    await pub.publishAsync('TopicA/offline', 'queued', { qos: 1 });
    // handler attached before the CONNACK can arrive: the queued message follows it at once
    const again = mqtt.connect(url, { clientId: 'offline-1', clean: false, reconnectPeriod: 0, protocolVersion: 4 });
    clients.push(again);
    const got = inbox(again);
    await waitFor(() => got.includes('TopicA/offline'), 5_000, 'queued delivery');
  });
});
