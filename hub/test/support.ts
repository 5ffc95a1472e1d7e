import { rmSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { tempDir } from '@gridhub/testkit';
import { startHub, type Hub, type HubConfig } from '../src/index.ts';

/** The admin password test hubs are started with. */
export const TEST_ADMIN_PASSWORD = 'test-admin-password';
const adminTokens = new WeakMap<Hub, string>();

/** A hub on a temp data dir and free ports, quiet logs; `getJson` is logged in as admin. */
export async function testHub(overrides: Partial<HubConfig> = {}): Promise<Hub & { dataDir: string; dispose(): Promise<void> }> {
  const dataDir = overrides.dataDir ?? tempDir('hub');
  const hub = await startHub({ dataDir, httpPort: 0, mqttPort: 0, httpHost: '127.0.0.1', mqttHost: '127.0.0.1', logLevel: 'warn', adminPassword: TEST_ADMIN_PASSWORD, ...overrides });
  adminTokens.set(hub, await login(hub, 'admin', overrides.adminPassword ?? TEST_ADMIN_PASSWORD));
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

/** Logs in through the API; returns the session token (usable as `Authorization: Bearer`). */
export async function login(hub: Hub, username: string, password: string): Promise<string> {
  const res = await hub.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
  return (JSON.parse(res.body) as { token: string }).token;
}

/** Logs in over real HTTP (a hub in another process); returns the Authorization header to send. */
export async function httpLogin(baseUrl: string, username = 'admin', password = TEST_ADMIN_PASSWORD): Promise<{ authorization: string }> {
  const res = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return { authorization: `Bearer ${((await res.json()) as { token: string }).token}` };
}

/** One API call with a session (admin's by default). */
export async function api(hub: Hub, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, opts: { body?: unknown; token?: string | null } = {}): Promise<{ status: number; body: any }> {
  const token = opts.token === undefined ? adminTokens.get(hub) : opts.token;
  const res = await hub.app.inject({
    method, url: path, payload: opts.body as never, headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null };
}

export async function getJson(hub: Hub, path: string, token?: string | null): Promise<{ status: number; body: any }> {
  return api(hub, 'GET', path, { token });
}
