import { writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, CDPSession } from 'playwright-core';
import webpush from 'web-push';
import { uplinkTopic } from '@gridhub/core';
import { demoDeviceSecret } from '@gridhub/store';
import { serverAvailable, tempDir, waitFor } from '@gridhub/testkit';
import { demoPassword } from '../src/auth/index.ts';
import { ensureDashboardBuilt, launchChromium, loginPage } from '../../dashboard/bench/browser.ts';
import { pushServiceStandIn, type PushServiceStandIn } from '../../notify/test/push-service.ts';
import { notifyYaml } from '../../notify/test/fixtures.ts';
import { api, connect, login, TEST_ADMIN_PASSWORD, testHub } from './support.ts';

/**
 * Web push to the warden's PWA in headless Chromium, with the app closed. Chromium's own push
 * service (FCM) cannot be reached from here, and headless Chromium refuses `pushManager.subscribe`
 * anyway ("AbortError: Registration failed - permission denied", logged below), so the test
 * stands in for both ends of the push service — it makes the subscription a browser
 * would (its own ECDH key pair and auth secret, registered through the same API the PWA calls),
 * and a real HTTP server on loopback takes the hub's push (checking VAPID and decrypting the
 * aes128gcm payload as RFC 8291/8292 define), then hands the decrypted message to Chromium's
 * service worker through the DevTools protocol (ServiceWorker.deliverPushMessage), as the push
 * service's connection to the browser would. The service worker's `push` handler shows the
 * notification; its accept action takes the ticket with the warden's session.
 */
const GRID = 'g-lx-01';
const ON_DUTY = 'w-lx-01-03';

describe.skipIf(!serverAvailable('chromium'))('web push: the PWA closed, a dispatch arrives, the service worker shows it', () => {
  let hub: Awaited<ReturnType<typeof testHub>>;
  let browser: Browser;
  let context: BrowserContext;
  let cdp: CDPSession;
  let push: PushServiceStandIn;
  let registrationId = '';

  beforeAll(async () => {
    ensureDashboardBuilt();
    push = await pushServiceStandIn(async (_id, payload) => {
      await cdp.send('ServiceWorker.deliverPushMessage', { origin: hub.httpUrl, registrationId, data: payload });
    });
    // The push service is HTTPS with a self-signed certificate: this test process (where the hub runs) trusts it.
    const agent = https.globalAgent as https.Agent & { options: https.AgentOptions };
    agent.options.ca = push.cert;
    const vapid = webpush.generateVAPIDKeys();
    const dir = tempDir('hub-webpush');
    const file = join(dir, 'notify.yaml');
    writeFileSync(file, notifyYaml({ webpush: vapid }, 'aliyun', '', GRID).replace('personChannels: [push, sms]', 'personChannels: [push]'));
    hub = await testHub({ notifyFile: file, secretKey: 'a'.repeat(64), publicUrl: 'http://127.0.0.1' });
    const leader = await login(hub, 'w-lx-01-01', demoPassword('w-lx-01-01'));
    const now = Date.now();
    await api(hub, 'POST', '/api/rosters', { token: leader, body: { shifts: [{ gridId: GRID, wardenId: ON_DUTY, fromMs: now - 3600_000, toMs: now + 8 * 3600_000 }] } });
    browser = await launchChromium();
    context = await browser.newContext({ locale: 'zh-CN' });
    await context.grantPermissions(['notifications'], { origin: hub.httpUrl });
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.dispose();
    await push?.close();
  });

  it('subscribes, closes, a P1 dispatch is pushed through the push service, the notification shows; accept works from it', { timeout: 120_000 }, async () => {
    const page = await loginPage(context, hub.httpUrl, '/m', ON_DUTY, demoPassword(ON_DUTY));
    cdp = await context.newCDPSession(page);
    const registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: typeof registrations }) => registrations.push(...e.registrations));
    await cdp.send('ServiceWorker.enable');
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await waitFor(() => registrations.some((r) => !r.isDeleted && r.scopeURL.startsWith(hub.httpUrl)), 10_000, 'the service worker registered');
    registrationId = registrations.find((r) => !r.isDeleted && r.scopeURL.startsWith(hub.httpUrl))!.registrationId;

    // This Chromium's own pushManager.subscribe needs its vendor's push service: record what it says here.
    const own = await page.evaluate(async (key) => {
      const raw = atob(key.replace(/-/g, '+').replace(/_/g, '/'));
      const reg = await navigator.serviceWorker.ready;
      return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: Uint8Array.from(raw, (c) => c.charCodeAt(0)) }).then((s) => `subscribed at ${new URL(s.endpoint).host}`, (e: Error) => `${e.name}: ${e.message}`);
    }, (await api(hub, 'GET', '/api/notify/vapid')).body.publicKey as string);
    console.log(`Chromium's own push subscription here: ${own}`);
    // What this Chromium's pushManager would give with a reachable push service, registered as the PWA does.
    const sub = push.subscribe(ON_DUTY);
    const vapidKey = await page.evaluate(async () => (await (await fetch('/api/notify/vapid', { credentials: 'same-origin' })).json()) as { publicKey: string | null });
    expect(vapidKey.publicKey).toBeTruthy();
    const status = await page.evaluate(async (s) => (await fetch('/api/notify/subscriptions', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', 'X-GridHub-CSRF': '1' }, body: JSON.stringify(s) })).status, sub);
    expect(status).toBe(200);

    // The app is closed: only a blank tab stays (the CDP session moves to it).
    const blank = await context.newPage();
    await page.close();
    cdp = await context.newCDPSession(blank);
    await cdp.send('ServiceWorker.enable');

    const smoke = ((await api(hub, 'GET', `/api/devices?kind=smoke&grid=${GRID}&limit=1`)).body.items as { id: string }[])[0]!;
    const client = await connect(hub.mqttUrl, { clientId: smoke.id, username: smoke.id, password: demoDeviceSecret(smoke.id) });
    await client.publishAsync(uplinkTopic('smoke', smoke.id, 'event'), JSON.stringify({ ts: Date.now(), seq: 1, event: 'alarm', obscuration_pct: 14 }), { qos: 1 });
    await client.endAsync();

    await waitFor(() => push.received.length > 0, 10_000, 'the push service took the hub push').catch(async (err) => {
      throw new Error(`${(err as Error).message}; push service refused: ${push.refused.join('; ')}; deliveries: ${JSON.stringify((await api(hub, 'GET', '/api/notify/deliveries')).body.items)}`);
    });
    expect(push.refused).toEqual([]);
    expect(push.received[0]!.urgency).toBe('high');
    const payload = JSON.parse(push.received[0]!.payload) as { title: string; ticketId: string };
    expect(payload.title).toContain('P1');

    // The notification the service worker showed (read from a page of the origin, as the OS would list it).
    const check = await context.newPage();
    await check.goto(`${hub.httpUrl}/manifest.webmanifest`);
    const shown = async () => check.evaluate(async () => (await (await navigator.serviceWorker.getRegistration('/'))!.getNotifications()).map((n) => ({ title: n.title, tag: n.tag, data: n.data as unknown, actions: (n as Notification & { actions: { action: string }[] }).actions.map((a) => a.action) })));
    await waitFor(async () => (await shown()).length > 0, 10_000, 'the service worker showed the notification');
    const [n] = await shown();
    expect(n!.title).toBe(payload.title);
    expect(n!.actions).toEqual(['accept', 'open']);

    // Accept from the notification: the action as a click would run it (a headless browser has no notification to click).
    await check.evaluate(async (data) => (await navigator.serviceWorker.ready).active!.postMessage({ type: 'act', action: 'accept', data }), n!.data);
    await waitFor(async () => (await api(hub, 'GET', `/api/tickets/${payload.ticketId}`)).body.ticket?.status === 'accepted', 10_000, 'the ticket accepted from the notification');
    expect((await api(hub, 'GET', `/api/tickets/${payload.ticketId}`)).body.ticket.assigneeId).toBe(ON_DUTY);

    // The desk: the ticket's drawer lists who was paged on which channel and the outcome; operators have the dead-letter tab.
    const desk = await loginPage(await browser.newContext({ locale: 'zh-CN', viewport: { width: 1600, height: 1000 } }), hub.httpUrl, '/', 'admin', TEST_ADMIN_PASSWORD);
    await desk.getByRole('tab', { name: '工单看板' }).click();
    await desk.locator(`[data-testid="card-${payload.ticketId}"]`).click();
    await desk.locator('[data-testid="ticket-pages"] [data-testid="page-push-delivered"]').waitFor({ timeout: 10_000 });
    await desk.keyboard.press('Escape');
    await desk.getByRole('tab', { name: '通知失败' }).click();
    await desk.locator('[data-testid="dead-letters"]').getByText('没有失败的通知').waitFor({ timeout: 10_000 });
  });
});
