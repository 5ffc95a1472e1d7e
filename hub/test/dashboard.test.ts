/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { uplinkTopic } from '@gridhub/core';
import { demoDeviceSecret } from '@gridhub/store';
import { serverAvailable } from '@gridhub/testkit';
import { ensureDashboardBuilt, launchChromium, loginPage } from '../../dashboard/bench/browser.ts';
import { connect, testHub } from './support.ts';

// Screenshots go to .data/screens on every run; `npm run screenshots` refreshes the README's copies
// in docs/screens (so a test run never leaves the work tree dirty).
const ROOT = join(import.meta.dirname, '..', '..');
const SCREENS = process.env.UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screens') : join(ROOT, '.data', 'screens');
type TestHub = Awaited<ReturnType<typeof testHub>>;

/**
 * The must-show, end to end in headless Chromium: a smoke alarm published over MQTT appears on
 * the desk within 2 s; the operator dispatches it to a warden; the warden, on a phone-sized
 * viewport in a separate browser context, sees it, accepts, arrives and resolves with a note; the
 * operator closes it; the KPI panel's figures change. Screenshots of desk, wall and phone.
 */
describe.skipIf(!serverAvailable('chromium'))('dashboard end to end (desk, wall, phone) in headless Chromium', () => {
  let hub: TestHub;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** Every host any screen sent a request to, and every CSP violation any page reported. */
  const hosts = new Set<string>();
  const violations: string[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    hub = await testHub({ rulesTickMs: 500 });
    browser = await launchChromium();
  });

  afterAll(async () => {
    // No screen ever asked any host but the hub; no page broke the CSP.
    if (hub) expect([...hosts]).toEqual([new URL(hub.httpUrl).host]);
    expect(violations).toEqual([]);
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await hub?.dispose();
  });

  async function context(viewport: { width: number; height: number }, mobile = false, storageState?: Awaited<ReturnType<BrowserContext['storageState']>>): Promise<BrowserContext> {
    const c = await browser.newContext({ viewport, isMobile: mobile, hasTouch: mobile, deviceScaleFactor: 1, locale: 'zh-CN', storageState });
    contexts.push(c);
    // The CSP is the hub's real header, enforced by Chromium: any violation is reported here.
    await c.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
    c.on('request', (req) => hosts.add(new URL(req.url()).host));
    c.on('page', (page) =>
      page.on('console', (msg) => {
        if (/Content Security Policy|CSP violation/i.test(msg.text())) violations.push(msg.text());
      }),
    );
    return c;
  }

  /** A real JPEG, drawn and encoded by Chromium (what a phone camera hands the form). */
  async function cameraJpeg(page: Page): Promise<Buffer> {
    const dataUrl = await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 320;
      c.height = 240;
      const g = c.getContext('2d')!;
      g.fillStyle = '#c0392b';
      g.fillRect(0, 0, 320, 240);
      g.fillStyle = '#fff';
      g.font = '28px sans-serif';
      g.fillText('现场 on site', 60, 130);
      return c.toDataURL('image/jpeg', 0.8);
    });
    return Buffer.from(dataUrl.split(',')[1]!, 'base64');
  }

  const kpiText = (page: Page) => page.locator('[data-testid=kpi-counts] .ant-statistic-content').innerText();

  it('serves the app on the hub port: index for app routes, with its CSP; JSON 404s under /api', async () => {
    for (const path of ['/', '/wall', '/m']) {
      const res = await fetch(`${hub.httpUrl}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      const html = await res.text();
      expect(html).toContain('<div id="root">');
      expect(html, 'no inline script in the shell').not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    }
    const api = await fetch(`${hub.httpUrl}/api/nope`);
    expect(api.headers.get('content-type')).toContain('application/json');
    expect(api.status).toBeGreaterThanOrEqual(400);
  });

  it('alarm -> desk within 2 s -> dispatch -> warden accepts, arrives, resolves -> operator closes -> KPIs change', async () => {
    const [device] = (await hub.store.listDevices({ kind: 'smoke', limit: 1, offset: 0 })).items;
    if (!device) throw new Error('demo site has no smoke alarm');
    const gridId = device.place.grid;
    const warden = (await hub.store.listWardens(gridId)).find((w) => w.role !== 'grid_leader');
    if (!warden) throw new Error(`grid ${gridId} has no warden`);

    const desk = await loginPage(await context({ width: 1600, height: 1000 }), hub.httpUrl, '/', 'operator', 'demo-operator');
    // The control: the CSP is enforced and a violation is seen (an injected inline script does not run).
    await desk.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = 1';
      document.head.append(s);
    });
    await expect.poll(() => violations.length, { timeout: 5000 }).toBe(1);
    expect(await desk.evaluate(() => (window as unknown as { __injected?: number }).__injected)).toBeUndefined();
    violations.length = 0;
    await desk.locator('[data-testid=kpi-panel] .ant-statistic').first().waitFor();
    await expect.poll(() => kpiText(desk), { timeout: 10_000 }).not.toContain('—');
    const kpiBefore = await kpiText(desk);

    // The smoke alarm, over MQTT, as the device itself.
    const mqtt = await connect(hub.mqttUrl, { clientId: device.id, username: device.id, password: demoDeviceSecret(device.id) });
    const alarmRow = desk.locator(`[data-testid=alarm-list] [data-device="${device.id}"]`);
    const t0 = Date.now();
    await mqtt.publishAsync(uplinkTopic('smoke', device.id, 'event'), JSON.stringify({ ts: t0, seq: 1, event: 'alarm', obscuration_pct: 12 }), { qos: 1 });
    await alarmRow.waitFor({ timeout: 5000 });
    const alarmMs = Date.now() - t0;
    await mqtt.endAsync();
    expect(alarmMs).toBeLessThan(2000);

    // The operator takes it and dispatches it to a warden of the grid. The engine has already
    // given it to whoever is on duty (the grid leader without a roster): 流转 within the grid.
    await alarmRow.locator('button').click();
    const drawer = desk.locator('.ant-drawer-content');
    await drawer.waitFor();
    const ticketId = (await alarmRow.getAttribute('data-testid'))!.replace('alarm-', '');
    const status = await alarmRow.getAttribute('data-status');
    const dispatchAction = status === 'new' || status === 'returned' ? 'dispatch' : 'transfer';
    await drawer.locator(`button[data-action=${dispatchAction}]`).click();
    const modal = desk.locator('.ant-modal-content');
    await modal.locator('[data-testid=assignee]').click();
    await desk.locator(`.ant-select-item-option[title*="${warden.name}"], .ant-select-item-option:has-text("${warden.name}")`).first().click();
    await modal.locator('textarea').first().fill('请立即前往核实 / go and check');
    await modal.locator('.ant-modal-footer .ant-btn-primary').click();
    await desk.locator('.ant-drawer-content', { hasText: warden.id }).waitFor();

    // The warden's phone, in its own browser context.
    const phoneCtx = await context({ width: 390, height: 844 }, true);
    const phone = await loginPage(phoneCtx, hub.httpUrl, '/m', warden.id, `demo-${warden.id}`);
    const card = phone.locator(`[data-testid="phone-ticket-${ticketId}"]`);
    await card.waitFor({ timeout: 5000 });

    // The wall, while the alarm is live.
    const wall = await loginPage(await context({ width: 1920, height: 1080 }), hub.httpUrl, '/wall', 'operator', 'demo-operator');
    await wall.locator('[data-testid=wall] canvas').first().waitFor();
    await wall.locator('[data-testid=wall] ol li').first().waitFor();
    await wall.locator('[data-kpi=loaded]').waitFor();
    mkdirSync(SCREENS, { recursive: true });
    await wall.screenshot({ path: join(SCREENS, 'wall.png') });
    await desk.locator('.ant-drawer-close').click();
    await desk.locator('.ant-drawer-content').waitFor({ state: 'hidden' });
    await desk.screenshot({ path: join(SCREENS, 'desk.png') });
    await desk.getByRole('tab', { name: '小区平面图' }).click();
    await desk.locator(`[data-testid=site-plan] [data-device="${device.id}"][data-state=alarm]`).waitFor();
    await desk.screenshot({ path: join(SCREENS, 'desk-plan.png') });
    await desk.getByRole('tab', { name: '工单看板' }).click();
    await phone.screenshot({ path: join(SCREENS, 'phone.png') });

    let phoneNow = phone;
    const phoneCard = () => phoneNow.locator(`[data-testid="phone-ticket-${ticketId}"]`);
    const phoneStatus = () => phoneCard().locator('[data-testid=phone-status]');
    await phoneCard().locator('button[data-action=accept]').click();
    await expect.poll(() => phoneStatus().innerText(), { timeout: 5000 }).toBe('已接单');

    // In the middle of the loop: F5 on both screens. Name, role, tickets and the actions allowed stay.
    await desk.reload();
    await desk.locator('html[data-live=ready]').waitFor({ state: 'attached', timeout: 15_000 });
    // The header names the user and their role (the reload bug showed a bare "·").
    await expect.poll(() => desk.locator('.ant-tag', { hasText: '指挥中心值班员' }).first().innerText()).toMatch(/\S+ · 指挥中心值班员$/);
    await phoneNow.reload();
    await phoneNow.locator('html[data-live=ready]').waitFor({ state: 'attached', timeout: 15_000 });
    expect(await phoneNow.locator('h5').first().innerText()).toBe(`我的工单 · ${warden.name}`);
    await phoneCard().locator('button[data-action=arrive]').waitFor();
    // The browser closed and opened again (its cookie store kept, as a profile on disk keeps it).
    const saved = await phoneCtx.storageState();
    expect(JSON.stringify(saved.origins), 'nothing of the session in page storage').not.toMatch(/token/i);
    await phoneCtx.close();
    const phoneCtx2 = await context({ width: 390, height: 844 }, true, saved);
    phoneNow = await phoneCtx2.newPage();
    await phoneNow.goto(`${hub.httpUrl}/m`);
    await phoneNow.locator('html[data-live=ready]').waitFor({ state: 'attached', timeout: 15_000 });
    expect(await phoneNow.locator('h5').first().innerText()).toBe(`我的工单 · ${warden.name}`);
    await phoneNow.screenshot({ path: join(SCREENS, 'phone-reopened.png') });

    await phoneCard().locator('button[data-action=arrive]').click();
    await expect.poll(() => phoneStatus().innerText(), { timeout: 5000 }).toBe('已到场');
    await phoneCard().locator('button[data-action=resolve]').click();
    // The camera input: a photo taken on site goes to the hub, which keeps it; the preview is the hub's copy.
    const photoInput = phoneNow.locator('[data-testid=photo-input]');
    expect(await photoInput.getAttribute('accept')).toBe('image/*');
    expect(await photoInput.getAttribute('capture')).not.toBeNull();
    await photoInput.setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: await cameraJpeg(phoneNow) });
    const preview = phoneNow.locator('[data-testid=photo-preview]');
    await preview.waitFor({ timeout: 10_000 });
    expect(await preview.getAttribute('src')).toMatch(new RegExp(`^/api/tickets/${ticketId}/photos/`));
    await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 5000 }).toBe(320);
    await phoneNow.locator('.ant-modal-content textarea').fill('现场为厨房油烟误报，已通风并告知住户 / kitchen fumes, aired, resident told');
    await phoneNow.screenshot({ path: join(SCREENS, 'phone-resolve-photo.png') });
    await phoneNow.locator('.ant-modal-footer .ant-btn-primary').click();
    await phoneCard().waitFor({ state: 'detached', timeout: 5000 }); // resolved: off the warden's list

    // The operator verifies and closes; the KPI panel's figures move.
    const boardCard = desk.locator(`[data-testid=column-resolved] [data-testid="card-${ticketId}"]`);
    await boardCard.waitFor({ timeout: 5000 });
    await boardCard.click();
    // The operator sees the photo, from the hub.
    const shown = desk.locator('.ant-drawer-content [data-testid=ticket-photo] img, .ant-drawer-content img[data-testid=ticket-photo]').first();
    await shown.waitFor({ timeout: 5000 });
    await expect.poll(() => shown.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 5000 }).toBe(320);
    expect(await shown.getAttribute('src')).toMatch(/^\/api\/tickets\//);
    await desk.screenshot({ path: join(SCREENS, 'desk-photo.png') });
    // 核查办结 asks for a note, showing the warden's resolution (note and photo) first; an empty note is not sent.
    await desk.locator('.ant-drawer-content button[data-action=close]').click();
    const verify = desk.locator('.ant-drawer-content [data-testid=form-close]');
    await expect.poll(() => verify.locator('[data-testid=evidence-note]').innerText({ timeout: 5000 }), { timeout: 5000 }).toContain('kitchen fumes');
    const evidencePhoto = verify.locator('[data-testid=evidence-photo] img, img[data-testid=evidence-photo]').first();
    await expect.poll(() => evidencePhoto.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth, undefined, { timeout: 5000 }), { timeout: 5000 }).toBe(320);
    await verify.locator('[data-testid=form-submit]').click();
    await verify.locator('.ant-form-item-explain-error').waitFor({ timeout: 5000 });
    expect(await desk.locator(`[data-testid=column-resolved] [data-testid="card-${ticketId}"]`).count()).toBe(1);
    await verify.locator('textarea').fill('电话回访住户确认无异常 / called the resident back: all well');
    await desk.screenshot({ path: join(SCREENS, 'desk-verify.png') });
    await verify.locator('[data-testid=form-submit]').click();
    await desk.locator(`[data-testid=column-closed] [data-testid="card-${ticketId}"]`).waitFor({ timeout: 5000 });
    await expect.poll(() => kpiText(desk), { timeout: 10_000 }).not.toBe(kpiBefore);
    expect(await desk.locator('[data-testid=kpi-closure] .ant-statistic-content').innerText()).toMatch(/%$/);

    // The whole loop is in the ticket's history.
    const detail = await hub.app.inject({ method: 'GET', url: `/api/tickets/${ticketId}`, headers: { authorization: `Bearer ${await token(hub)}` } });
    const actions = (JSON.parse(detail.body) as { history: { action: string }[] }).history.map((h) => h.action);
    expect(actions).toEqual(expect.arrayContaining([dispatchAction, 'accept', 'arrive', 'resolve', 'close']));
    expect((JSON.parse(detail.body) as { history: { action: string; note: string | null }[] }).history.find((h) => h.action === 'close')?.note).toContain('called the resident back');
  });

  it("the warden's phone catches up after losing its connection: a dispatch made meanwhile appears", async () => {
    // A grid leader gets new tickets when no roster says otherwise: their phone is the one to watch.
    const devices = (await hub.store.listDevices({ kind: 'smoke', limit: 50, offset: 0 })).items;
    const device = devices.at(-1)!;
    const leader = (await hub.store.listWardens(device.place.grid)).find((w) => w.role === 'grid_leader')!;
    const phoneCtx = await context({ width: 390, height: 844 }, true);
    const phone = await loginPage(phoneCtx, hub.httpUrl, '/m', leader.id, `demo-${leader.id}`);
    await phone.locator('.ant-layout').first().waitFor();

    await phoneCtx.setOffline(true);
    const mqtt = await connect(hub.mqttUrl, { clientId: device.id, username: device.id, password: demoDeviceSecret(device.id) });
    await mqtt.publishAsync(uplinkTopic('smoke', device.id, 'event'), JSON.stringify({ ts: Date.now(), seq: 1, event: 'alarm' }), { qos: 1 });
    await mqtt.endAsync();
    const auth = { authorization: `Bearer ${await token(hub)}` };
    let ticketId = '';
    await expect
      .poll(async () => {
        const res = await hub.app.inject({ method: 'GET', url: `/api/tickets?limit=100`, headers: auth });
        const t = (JSON.parse(res.body) as { items: { id: string; deviceId: string; assigneeId: string | null }[] }).items.find((x) => x.deviceId === device.id);
        ticketId = t?.assigneeId === leader.id ? t.id : '';
        return ticketId;
      }, { timeout: 10_000 })
      .not.toBe('');
    const card = phone.locator(`[data-testid="phone-ticket-${ticketId}"]`);
    await phone.waitForTimeout(1500); // well past the server's 250 ms delta flush
    expect(await card.count(), 'an offline phone cannot have received it').toBe(0);

    await phoneCtx.setOffline(false);
    await card.waitFor({ timeout: 15_000 }); // reconnected: a fresh snapshot carries it
  });


  it('ten unacknowledged P1s fit on the desk at 1440×900 without scrolling; the board shows every column at 1440 px (zh and en)', async () => {
    // Ten smoke alarms in ten buildings (no incident: one detector a building, and none where an
    // earlier test left an open alarm, which a second detector would make a fire), none acknowledged.
    const smoke = (await hub.store.listDevices({ kind: 'smoke', limit: 1000, offset: 0 })).items.slice(1);
    const open = new Set((await hub.rules.tickets.list({})).filter((t) => t.status !== 'closed').map((t) => t.place.building));
    const one = [...new Map(smoke.filter((d) => d.buildingId && !open.has(d.buildingId)).map((d) => [d.buildingId, d])).values()].slice(0, 10);
    expect(one).toHaveLength(10);
    for (const d of one) {
      const c = await connect(hub.mqttUrl, { clientId: d.id, username: d.id, password: demoDeviceSecret(d.id) });
      await c.publishAsync(uplinkTopic('smoke', d.id, 'event'), JSON.stringify({ ts: Date.now(), seq: 1, event: 'alarm', obscuration_pct: 14 }), { qos: 1 });
      await c.endAsync();
    }
    const desk = await loginPage(await context({ width: 1440, height: 900 }), hub.httpUrl, '/', 'operator', 'demo-operator');
    for (const lang of ['zh', 'en'] as const) {
      await desk.evaluate((l) => localStorage.setItem('gridhub.lang', l), lang);
      await desk.reload();
      const rows = desk.locator('[data-testid=alarm-list] [data-testid^="alarm-"][data-device]');
      await expect.poll(async () => (await Promise.all(one.map((d) => desk.locator(`[data-testid=alarm-list] [data-device="${d.id}"]`).count()))).every((n) => n === 1), { timeout: 15_000 }).toBe(true);
      const boxes = await Promise.all(one.map(async (d) => (await desk.locator(`[data-testid=alarm-list] [data-device="${d.id}"]`).boundingBox())!));
      expect(await rows.count()).toBeGreaterThanOrEqual(10);
      const bottom = Math.max(...boxes.map((b) => b.y + b.height));
      expect(bottom, `${lang}: the tenth P1 row ends at ${bottom} px`).toBeLessThanOrEqual(900);
      expect(await desk.evaluate(() => window.scrollY)).toBe(0);
      // Every column of the ticket board inside 1440 px, none cut, none scrolled away.
      const columns = desk.locator('section[data-testid^=column-]');
      expect(await columns.count()).toBe(8);
      // Each label whole: no wider than its column, and on no more lines than it has words (never "Dispatche/d").
      const cols = await columns.evaluateAll((els) =>
        els.map((e) => {
          const r = e.getBoundingClientRect();
          const label = e.firstElementChild!.firstElementChild!; // the header's label
          const range = document.createRange();
          range.selectNodeContents(label);
          const lines = new Set(Array.from(range.getClientRects(), (x) => Math.round(x.top))).size;
          return { text: label.textContent ?? '', right: r.right, width: r.width, lines, words: (label.textContent ?? '').trim().split(/\s+/).length, cut: label.scrollWidth > label.clientWidth + 1 };
        }),
      );
      expect(cols.every((c) => c.right <= 1440 && c.width >= 80), `${lang}: ${JSON.stringify(cols)}`).toBe(true);
      expect(cols.filter((c) => c.cut || c.lines > c.words).map((c) => `${c.text}: ${c.lines} lines`), `${lang}: a column label is broken or cut`).toEqual([]);
      await desk.screenshot({ path: join(SCREENS, `desk-ten-p1-${lang}.png`) });
    }
    await desk.evaluate(() => localStorage.setItem('gridhub.lang', 'zh'));
  });

  it('silences where users work: made on a building of the plan and from a device drawer, shown with until when and why, ended early', async () => {
    const ctx = await context({ width: 1600, height: 1000 });
    const desk = await loginPage(ctx, hub.httpUrl, '/', 'operator', 'demo-operator');
    await desk.getByRole('tab', { name: '小区平面图' }).click();
    // A building the plan shows whole (with a fire open it zooms to that building, cutting others).
    await desk.locator('[data-testid=site-plan] g[data-building]').first().waitFor({ timeout: 10_000 });
    const plan = (await desk.locator('[data-testid=site-plan]').boundingBox())!;
    const all = desk.locator('[data-testid=site-plan] g[data-building]');
    let pick = 0;
    for (let i = 0; i < (await all.count()); i++) {
      const b = (await all.nth(i).boundingBox())!;
      if (b.x >= plan.x && b.y >= plan.y && b.x + b.width <= plan.x + plan.width && b.y + b.height <= plan.y + plan.height) {
        pick = i;
        break;
      }
    }
    const building = all.nth(pick);
    const buildingId = (await building.getAttribute('data-building'))!;
    await building.click();
    const box = desk.locator('[data-testid=plan-building]');
    await box.locator('[data-testid=silence-new]').click();
    await box.locator('[data-testid=silence-reason]').fill('电梯维保 lift maintenance');
    await box.locator('[data-testid=silence-save]').click();
    const marked = desk.locator(`[data-testid=site-plan] g[data-building="${buildingId}"][data-silenced]`);
    await marked.waitFor({ timeout: 5000 });
    expect(await box.locator('[data-testid=silence-active]').innerText()).toContain('lift maintenance');
    const auth = { authorization: `Bearer ${await token(hub)}` };
    const listed = JSON.parse((await hub.app.inject({ method: 'GET', url: '/api/silences?active=true', headers: auth })).body) as { id: string; scope: { building?: string }; toMs: number; fromMs: number }[];
    const mine = listed.find((x) => x.scope.building === buildingId)!;
    expect(mine.toMs - mine.fromMs).toBeGreaterThan(60 * 60_000); // the default window: two hours
    await desk.screenshot({ path: join(SCREENS, 'desk-silence.png') });
    // ended early from the plan
    await box.locator('[data-testid=silence-end]').click();
    await desk.locator('.ant-popconfirm .ant-btn-primary').click();
    await expect.poll(() => marked.count(), { timeout: 5000 }).toBe(0);
    expect((JSON.parse((await hub.app.inject({ method: 'GET', url: '/api/silences?active=true', headers: auth })).body) as { id: string }[]).some((x) => x.id === mine.id)).toBe(false);

    // from a device's drawer
    const device = desk.locator('[data-testid=site-plan] [data-device]').first();
    const deviceId = (await device.getAttribute('data-device'))!;
    await device.click();
    const drawer = desk.locator('.ant-drawer-content [data-testid=silence-box]');
    await drawer.locator('[data-testid=silence-new]').click();
    await drawer.locator('[data-testid=silence-reason]').fill('更换电池 battery swap');
    await drawer.locator('[data-testid=silence-save]').click();
    await expect.poll(() => drawer.locator('[data-testid=silence-active]').innerText({ timeout: 5000 }), { timeout: 5000 }).toContain('battery swap');
    const forDevice = (JSON.parse((await hub.app.inject({ method: 'GET', url: '/api/silences?active=true', headers: auth })).body) as { id: string; scope: { device?: string } }[]).find((x) => x.scope.device === deviceId);
    expect(forDevice).toBeDefined();
    await desk.screenshot({ path: join(SCREENS, 'desk-device-silence.png') });
    await drawer.locator('[data-testid=silence-end]').click();
    await desk.locator('.ant-popconfirm .ant-btn-primary').click();
    await expect.poll(() => drawer.locator('[data-testid=silence-active]').count(), { timeout: 5000 }).toBe(0);
  });

  it('a session ended on the hub takes the screen back to the login page with a message', async () => {
    const ctx = await context({ width: 1280, height: 800 });
    const desk = await loginPage(ctx, hub.httpUrl, '/', 'operator', 'demo-operator');
    const cookie = (await ctx.cookies()).find((c) => c.name === 'gridhub_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await desk.evaluate(() => document.cookie)).not.toContain('gridhub_session');
    // Ended elsewhere (another tab's logout, an admin disabling the user, a password change).
    await hub.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { authorization: `Bearer ${cookie.value}` } });
    const message = desk.locator('[data-testid=login-error]');
    await message.waitFor({ timeout: 5000 });
    expect(await message.innerText()).toContain('登录已失效');
    await desk.locator('input#username').waitFor();
    await desk.screenshot({ path: join(SCREENS, 'session-ended.png') });
  });
});

async function token(hub: TestHub): Promise<string> {
  const res = await hub.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'operator', password: 'demo-operator' } });
  return (JSON.parse(res.body) as { token: string }).token;
}
