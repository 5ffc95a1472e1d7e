import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoPassword } from '../src/auth/index.ts';
import { freePort, tempDir, waitFor } from '@gridhub/testkit';
import { productionHubArgs } from '../bench/proc.ts';
import { httpLogin } from './support.ts';

const root = join(import.meta.dirname, '..', '..');

describe('the production launch: what `npm start` runs (hub/dist/main.mjs, plain node and its flags)', () => {
  const dataDir = tempDir('hub-production');
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('builds, starts on embedded defaults with the demo site found from the bundle, serves, and stops cleanly on SIGTERM', async () => {
    const args = productionHubArgs(root);
    expect(args.at(-1)).toBe('hub/dist/main.mjs');
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, HUB_DATA_DIR: dataDir, HUB_HTTP_HOST: '127.0.0.1', HUB_HTTP_PORT: String(httpPort), HUB_MQTT_HOST: '127.0.0.1', HUB_MQTT_PORT: String(mqttPort), HUB_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => void (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => void (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const base = `http://127.0.0.1:${httpPort}`;
    await Promise.race([
      exited.then((code) => Promise.reject(new Error(`the built hub exited with ${code}:\n${out}`))),
      waitFor(async () => (await fetch(`${base}/api/health`)).ok, 60_000, 'the built hub'),
    ]);
    expect(out).toContain('GridHub is running');
    expect(out).toContain('Demo site loaded'); // DEMO_SITE_PATH resolved from inside the bundle
    const auth = await httpLogin(base, 'operator', demoPassword('operator'));
    const devices = (await (await fetch(`${base}/api/devices?limit=1`, { headers: auth })).json()) as { total: number };
    expect(devices.total).toBe(298);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
