import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoPassword } from '../src/auth/index.ts';
import { freePort, tempDir, waitFor } from '@gridhub/testkit';
import { productionHubArgs, startProductionHub } from '../bench/proc.ts';
import { httpLogin } from './support.ts';

const root = join(import.meta.dirname, '..', '..');

describe('the production launch: what `npm start` runs (hub/dist/main.mjs, plain node and its flags)', () => {
  const dataDir = tempDir('hub-production');
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('builds, starts on embedded defaults with the demo site found from the bundle and its demo simulation, serves, and stops cleanly on SIGTERM', { timeout: 180_000 }, async () => {
    expect(productionHubArgs(root).at(-1)).toBe('hub/dist/main.mjs');
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    const hub = await startProductionHub(
      root,
      { HUB_DATA_DIR: dataDir, HUB_HTTP_HOST: '127.0.0.1', HUB_HTTP_PORT: String(httpPort), HUB_MQTT_HOST: '127.0.0.1', HUB_MQTT_PORT: String(mqttPort), HUB_DEMO_SIMULATION: '1' },
      { httpPort, capture: true },
    );
    const base = `http://127.0.0.1:${httpPort}`;
    expect(hub.output()).toContain('GridHub is running');
    expect(hub.output()).toContain('Demo site loaded'); // DEMO_SITE_PATH resolved from inside the bundle
    const auth = await httpLogin(base, 'operator', demoPassword('operator'));
    const devices = (await (await fetch(`${base}/api/devices?limit=1`, { headers: auth })).json()) as { total: number };
    expect(devices.total).toBe(298);
    // Alive at first sight: the demo simulation (a child process over MQTT) brings the devices online.
    expect(hub.output()).toContain('Demo simulation');
    await waitFor(async () => ((await (await fetch(`${base}/api/devices?state=online&limit=1`, { headers: auth })).json()) as { total: number }).total >= 200, 90_000, 'demo devices online');
    // Idle compaction (hub/src/memory.ts) is started by main.ts and counted.
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^hub_process_idle_compactions_total \d+$/m);
    hub.child.kill('SIGTERM');
    expect(await hub.exited).toBe(0);
  });
});
