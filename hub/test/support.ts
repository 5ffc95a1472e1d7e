import { rmSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { tempDir } from '@gridhub/testkit';
import { startHub, type Hub, type HubConfig } from '../src/index.ts';

/** A hub on a temp data dir and free ports, quiet logs. */
export async function testHub(overrides: Partial<HubConfig> = {}): Promise<Hub & { dataDir: string; dispose(): Promise<void> }> {
  const dataDir = overrides.dataDir ?? tempDir('hub');
  const hub = await startHub({ dataDir, httpPort: 0, mqttPort: 0, httpHost: '127.0.0.1', mqttHost: '127.0.0.1', logLevel: 'warn', ...overrides });
  return Object.assign(hub, {
    dataDir,
    async dispose() {
      await hub.close();
      if (!overrides.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

export function connect(url: string, opts: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 10_000, ...opts });
    client.once('connect', () => resolve(client));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
  });
}

export async function getJson(hub: Hub, path: string): Promise<{ status: number; body: any }> {
  const res = await hub.app.inject({ method: 'GET', url: path });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null };
}
