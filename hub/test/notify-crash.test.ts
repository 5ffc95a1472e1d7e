import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uplinkTopic } from '@gridhub/core';
import { demoDeviceSecret } from '@gridhub/store';
import { freePort, tempDir, waitFor } from '@gridhub/testkit';
import { startProductionHub } from '../bench/proc.ts';
import { wecomStandIn, type StandIn } from '../../notify/test/standins.ts';
import { notifyYaml } from '../../notify/test/fixtures.ts';
import { connect, httpLogin, TEST_ADMIN_PASSWORD } from './support.ts';

const root = join(import.meta.dirname, '..', '..');

/**
 * The hub (launched as `npm start` launches it) killed with kill -9 just after a smoke alarm's
 * ticket committed, while the WeCom robot (a real HTTP server on loopback standing in for WeCom,
 * checking requests as documented) is still answering 500: the page was only in the database.
 * After the restart it is delivered, once. Serial: kill -9 of a process under a deadline.
 */
describe('hub killed with kill -9 just after the alarm commit', () => {
  let wecom: StandIn;
  let dataDir: string;
  let hub: ChildProcess | null = null;
  beforeAll(async () => {
    wecom = await wecomStandIn('wk-secret-1');
    dataDir = tempDir('notify-crash');
  });
  afterAll(async () => {
    hub?.kill('SIGKILL');
    await wecom?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the page is delivered after the restart, exactly once', { timeout: 180_000 }, async () => {
    const file = join(dataDir, 'notify.yaml');
    writeFileSync(file, notifyYaml({ wecom: wecom.url }, 'aliyun', '', 'g-lx-01'));
    const httpPort = await freePort();
    const mqttPort = await freePort();
    const env = {
      HUB_DATA_DIR: dataDir, HUB_HTTP_PORT: String(httpPort), HUB_HTTP_HOST: '127.0.0.1', HUB_MQTT_PORT: String(mqttPort), HUB_MQTT_HOST: '127.0.0.1',
      HUB_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD, HUB_NOTIFY_FILE: file, HUB_SECRET_KEY: randomBytes(32).toString('hex'), HUB_PUBLIC_URL: 'https://hub.example.cn',
    };
    const base = `http://127.0.0.1:${httpPort}`;
    hub = (await startProductionHub(root, env, { httpPort })).child;
    const auth = await httpLogin(base);
    const smoke = ((await (await fetch(`${base}/api/devices?kind=smoke&grid=g-lx-01&limit=1`, { headers: auth })).json()) as { items: { id: string }[] }).items[0]!;

    wecom.outageUntilMs = Date.now() + 3600_000;
    const client = await connect(`mqtt://127.0.0.1:${mqttPort}`, { clientId: smoke.id, username: smoke.id, password: demoDeviceSecret(smoke.id) });
    await client.publishAsync(uplinkTopic('smoke', smoke.id, 'event'), JSON.stringify({ ts: Date.now(), seq: 1, event: 'alarm', obscuration_pct: 14 }), { qos: 1 });
    await client.endAsync();
    let ticketId = '';
    await waitFor(async () => {
      const r = (await (await fetch(`${base}/api/tickets?device=${smoke.id}`, { headers: auth })).json()) as { items: { id: string }[] };
      ticketId = r.items[0]?.id ?? '';
      return !!ticketId;
    }, 10_000, 'the ticket committed');
    hub.kill('SIGKILL');
    await new Promise((r) => hub!.once('exit', r));
    expect(wecom.accepted).toHaveLength(0);

    wecom.outageUntilMs = 0;
    hub = (await startProductionHub(root, env, { httpPort })).child;
    await waitFor(() => wecom.accepted.some((r) => r.raw.includes(`tickets/${ticketId}`)), 30_000, 'the page delivered after the restart');
    await new Promise((r) => setTimeout(r, 2000));
    expect(wecom.accepted.filter((r) => r.raw.includes(`tickets/${ticketId}`))).toHaveLength(1);
    const pages = (await (await fetch(`${base}/api/tickets/${ticketId}/pages`, { headers: await httpLogin(base) })).json()) as { items: { state: string; channelId: string }[] };
    expect(pages.items.map((p) => `${p.channelId}:${p.state}`)).toEqual(['wecom-ga:delivered']);
    hub.kill('SIGTERM');
    await new Promise((r) => hub!.once('exit', r));
    hub = null;
  });
});
