/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { uplinkTopic } from '@gridhub/core';
import type { HubEvent } from '@gridhub/core';
import { serverAvailable, waitFor } from '@gridhub/testkit';
import { ensureDashboardBuilt, launchChromium, loginPage } from '../../dashboard/bench/browser.ts';
import { api, connect, testHub } from './support.ts';

// Screenshots go to .data/screens on every run; UPDATE_SCREENSHOTS=1 writes the README's copies in docs/screens.
const ROOT = join(import.meta.dirname, '..', '..');
const SCREENS = process.env.UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screens') : join(ROOT, '.data', 'screens');
type TestHub = Awaited<ReturnType<typeof testHub>>;

/**
 * The admin screens' must-show, end to end in headless Chromium against a real hub (real MQTT,
 * SQLite): the admin adds an estate, a building and a device on the plan and provisions its secret;
 * a device connects with it and its readings appear; the admin adds a warden and puts them on duty;
 * a smoke alarm there is dispatched to them; the operator silences the building, and a second alarm
 * is recorded, not dispatched; the admin revokes the secret and the connection drops; the audit log
 * shows each step with its user. Screenshots of every admin page in zh-CN.
 */
describe.skipIf(!serverAvailable('chromium'))('admin screens end to end in headless Chromium', () => {
  let hub: TestHub;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const events: HubEvent[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    hub = await testHub({ rulesTickMs: 500 });
    hub.events.on('event', (e) => events.push(e));
    browser = await launchChromium();
    mkdirSync(SCREENS, { recursive: true });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await hub?.dispose();
  });

  async function page(user: string, password: string, path: string): Promise<Page> {
    const c = await browser.newContext({ viewport: { width: 1500, height: 950 }, deviceScaleFactor: 1, locale: 'zh-CN' });
    contexts.push(c);
    return loginPage(c, hub.httpUrl, path, user, password);
  }
  /** Picks an option of an Ant Design Select by its label. */
  async function choose(p: Page, select: string, label: string) {
    await p.locator(select).first().click();
    await p.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${label}"]`).first().click();
    await expect.poll(() => p.locator('.ant-select-dropdown:visible').count(), { timeout: 5000 }).toBe(0);
  }
  const shot = (p: Page, name: string) => p.screenshot({ path: join(SCREENS, `${name}.png`) });
  const site = async () => (await api(hub, 'GET', '/api/admin/site')).body;
  const estateOf = async (id: string) => (await site()).communities.flatMap((c: any) => c.grids.flatMap((g: any) => g.estates)).find((e: any) => e.id === id);

  it('estate, building and device on the plan -> secret -> device connects -> warden on duty -> alarm dispatched -> building silenced -> second alarm not dispatched -> secret revoked -> audit', { timeout: 240_000 }, async () => {
    const tree = await site();
    const grid = tree.communities[0].grids[0];
    const admin = await page('admin', 'test-admin-password', '/admin/site');

    // ---- the estate and its building, from the site tree
    await admin.locator('[data-testid=site-tree]').getByText(`网格 ${grid.name}`, { exact: true }).click();
    await admin.locator('[data-testid=add-estate]').click();
    await admin.locator('[data-testid=add-id]').fill('e2e-estate');
    await admin.locator('[data-testid=add-name]').fill('测试小区 E2E estate');
    await admin.locator('[data-testid=add-save]').click();
    await expect.poll(async () => (await estateOf('e2e-estate'))?.name, { timeout: 10_000 }).toBe('测试小区 E2E estate');
    // the new estate is selected in the tree: its plan is open
    await admin.locator('[data-testid=plan-editor]').waitFor({ timeout: 10_000 });
    await admin.locator('[data-testid=add-building]').click();
    await admin.locator('[data-testid=add-id]').fill('e2e-b1');
    await admin.locator('[data-testid=add-name]').fill('1号楼');
    await admin.locator('[data-testid=add-save]').click();
    const building = admin.locator('[data-testid=plan-building-e2e-b1]');
    await building.waitFor({ timeout: 10_000 });
    // drag it east on the plan: the position is saved (once the form's dialog has gone)
    await expect.poll(() => admin.locator('.ant-modal:visible').count(), { timeout: 10_000 }).toBe(0);
    const box = (await building.boundingBox())!;
    await admin.mouse.move(box.x + 10, box.y + 10);
    await admin.mouse.down();
    await admin.mouse.move(box.x + 60, box.y + 40, { steps: 5 });
    await admin.mouse.up();
    await expect.poll(async () => (await estateOf('e2e-estate'))?.buildings[0]?.position.x, { timeout: 10_000 }).toBeGreaterThan(20);
    await shot(admin, 'admin-site');

    // ---- a smoke alarm in it, from the devices page; its secret shown once, with a QR code
    await admin.locator('[data-testid=tab-devices]').click();
    await choose(admin, '[data-testid=devices-estate]', '测试小区 E2E estate');
    await admin.locator('[data-testid=add-device]').click();
    await admin.locator('[data-testid=device-id]').fill('e2e-smk-1');
    await choose(admin, '[data-testid=device-building]', '1号楼');
    await admin.locator('[data-testid=device-save]').click();
    await admin.locator('[data-testid=provision-e2e-smk-1]').click();
    const secret = (await admin.locator('[data-testid=device-secret]').innerText()).trim();
    expect(secret.length).toBeGreaterThanOrEqual(20);
    expect(await admin.locator('[data-testid=device-secret-qr]').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    await shot(admin, 'admin-devices-secret');
    await admin.locator('.ant-modal:visible .ant-modal-footer button').click();
    await admin.locator('[data-testid=device-secret]').waitFor({ state: 'hidden' });

    // ---- the device connects with it; its reading appears on the devices page
    const device = await connect(hub.mqttUrl, { clientId: 'e2e-smk-1', username: 'e2e-smk-1', password: secret });
    let dropped = false;
    device.on('close', () => (dropped = true));
    await device.publishAsync(uplinkTopic('smoke', 'e2e-smk-1', 'telemetry'), JSON.stringify({ ts: Date.now(), seq: 1, temperature_c: 22, battery_pct: 87 }), { qos: 1 });
    await waitFor(async () => (await hub.store.deviceState('e2e-smk-1'))?.batteryPct === 87, 10_000, 'the reading stored');
    await admin.locator('[data-testid=tab-people]').click();
    await admin.locator('[data-testid=tab-devices]').click();
    await choose(admin, '[data-testid=devices-estate]', '测试小区 E2E estate');
    await expect.poll(() => admin.locator('[data-testid=devices-table] tr[data-row-key=e2e-smk-1]').innerText(), { timeout: 10_000 }).toContain('87');
    await shot(admin, 'admin-devices');

    // ---- a warden for the grid, with a login; on duty now
    await admin.locator('[data-testid=tab-people]').click();
    await admin.locator('[data-testid=add-warden]').click();
    await admin.locator('[data-testid=user-username]').fill('e2e-warden');
    await admin.locator('[data-testid=user-name]').fill('测试网格员');
    await choose(admin, '[data-testid=user-grid]', grid.name);
    await admin.locator('[data-testid=user-phone]').fill('13800000099');
    await admin.locator('[data-testid=user-password]').fill('e2e-warden-password');
    await admin.locator('[data-testid=user-save]').click();
    await admin.locator('[data-testid=users-table]').getByText('e2e-warden', { exact: true }).waitFor({ timeout: 10_000 });
    await shot(admin, 'admin-people');
    await admin.locator('[data-testid=tab-duty]').click();
    await choose(admin, '[data-testid=duty-grid]', grid.name);
    await choose(admin, '[data-testid=shift-warden]', '测试网格员 13800000099');
    await admin.locator('[data-testid=shift-add]').click();
    await expect.poll(() => admin.locator('[data-testid=on-duty-now]').innerText(), { timeout: 10_000 }).toContain('测试网格员');
    await shot(admin, 'admin-duty');

    // ---- a smoke alarm there is dispatched to the warden on duty
    await device.publishAsync(uplinkTopic('smoke', 'e2e-smk-1', 'event'), JSON.stringify({ ts: Date.now(), seq: 2, event: 'alarm', obscuration_pct: 14 }), { qos: 1 });
    await waitFor(async () => (await hub.rules.tickets.list({ deviceId: 'e2e-smk-1' }))[0]?.assigneeId === 'e2e-warden', 10_000, 'the alarm dispatched to e2e-warden');

    // ---- the operator silences the building; a second alarm there is recorded and not dispatched
    const operator = await page('operator', 'demo-operator', '/admin/silences');
    await choose(operator, '[data-testid=silence-place]', '测试小区 E2E estate 1号楼');
    await operator.locator('[data-testid=silence-reason]').fill('消防维保 maintenance');
    await operator.locator('[data-testid=silence-create]').click();
    await operator.locator('[data-testid=silences-table]').getByText('消防维保 maintenance').waitFor({ timeout: 10_000 });
    await shot(operator, 'admin-silences');
    const second = (await api(hub, 'POST', '/api/admin/site/ops?apply=true', { body: { ops: [{ op: 'add', level: 'device', parent: 'e2e-estate', node: { id: 'e2e-smk-2', kind: 'smoke', building: 'e2e-b1' } }] } })).status;
    expect(second).toBe(200);
    const secret2 = (await api(hub, 'POST', '/api/admin/devices/e2e-smk-2/secret')).body.secret as string;
    const device2 = await connect(hub.mqttUrl, { clientId: 'e2e-smk-2', username: 'e2e-smk-2', password: secret2 });
    await device2.publishAsync(uplinkTopic('smoke', 'e2e-smk-2', 'event'), JSON.stringify({ ts: Date.now(), seq: 1, event: 'alarm', obscuration_pct: 15 }), { qos: 1 });
    await waitFor(() => events.some((e) => e.type === 'alert' && e.deviceId === 'e2e-smk-2' && e.transition.to === 'firing'), 10_000, 'the second alarm evaluated');
    const alert = events.find((e) => e.type === 'alert' && e.deviceId === 'e2e-smk-2' && e.transition.to === 'firing');
    expect(alert && alert.type === 'alert' && alert.silenced).toMatchObject({ reason: '消防维保 maintenance', scope: { building: 'e2e-b1' } });
    // recorded: the reading is stored and the device's state shows the alarm (state flushes about once a second)
    await waitFor(async () => (await hub.store.deviceState('e2e-smk-2'))?.lastEvent === 'alarm', 10_000, 'the silenced alarm recorded');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await hub.rules.tickets.list({ deviceId: 'e2e-smk-2' })).toEqual([]);
    await device2.endAsync();

    // ---- the admin revokes the first device's secret: its connection drops at once
    await admin.locator('[data-testid=tab-devices]').click();
    await choose(admin, '[data-testid=devices-estate]', '测试小区 E2E estate');
    await expect.poll(() => admin.locator('[data-testid=devices-table] tr[data-row-key=e2e-smk-1]').innerText(), { timeout: 10_000 }).toContain('已屏蔽');
    await admin.locator('[data-testid=revoke-e2e-smk-1]').click();
    const t0 = Date.now();
    await admin.locator('.ant-popconfirm [data-testid=revoke-confirm]').click();
    await waitFor(() => dropped, 3000, 'the revoked device disconnected');
    expect(Date.now() - t0).toBeLessThan(3000);
    device.end(true);
    await expect(connect(hub.mqttUrl, { clientId: 'e2e-smk-1', username: 'e2e-smk-1', password: secret })).rejects.toThrow();

    // ---- the audit log: each step with its user
    await admin.locator('[data-testid=tab-audit]').click();
    await admin.locator('input[data-testid=audit-search], [data-testid=audit-search] input').first().fill('e2e');
    await admin.locator('input[data-testid=audit-search], [data-testid=audit-search] input').first().press('Enter');
    await admin.locator('[data-testid=audit-table]').getByText('DELETE /api/admin/devices/e2e-smk-1/secret').waitFor({ timeout: 10_000 });
    const audit = (await api(hub, 'GET', '/api/admin/audit?limit=100')).body.items as { username: string; method: string; target: string; detail: string }[];
    const step = (user: string, method: string, target: string, detail = '') => audit.some((e) => e.username === user && e.method === method && e.target === target && e.detail.includes(detail));
    expect(step('admin', 'POST', '/api/admin/site/ops', 'e2e-estate')).toBe(true);
    expect(step('admin', 'POST', '/api/admin/site/ops', 'e2e-b1')).toBe(true);
    expect(step('admin', 'POST', '/api/admin/site/ops', 'e2e-smk-1')).toBe(true);
    expect(step('admin', 'POST', '/api/admin/devices/e2e-smk-1/secret')).toBe(true);
    expect(step('admin', 'POST', '/api/users', 'e2e-warden')).toBe(true);
    expect(step('admin', 'POST', '/api/rosters', 'e2e-warden')).toBe(true);
    expect(step('operator', 'POST', '/api/silences', 'e2e-b1')).toBe(true);
    expect(step('admin', 'DELETE', '/api/admin/devices/e2e-smk-1/secret')).toBe(true);
    const ticketId = (await hub.rules.tickets.list({ deviceId: 'e2e-smk-1' }))[0]!.id;
    expect(audit.some((e) => e.username === 'system' && e.target === `/api/tickets/${ticketId}` && e.method === 'TICKET')).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(secret);
    await shot(admin, 'admin-audit');
  });

  it('rules page: a typo is named as you type; the dry run answers; reports page', async () => {
    const admin = await page('admin', 'test-admin-password', '/admin/rules');
    const text = admin.locator('[data-testid=rules-text]');
    await text.waitFor();
    await expect.poll(() => text.inputValue(), { timeout: 10_000 }).toContain('smoke.alarm');
    const value = await text.inputValue();
    await text.fill(value.replace('field: fill_pct, above: 95', 'field: fill_pcnt, above: 95'));
    await expect.poll(() => admin.locator('[data-testid=rules-problems]').innerText(), { timeout: 10_000 }).toContain('fill_pcnt');
    await text.fill(value);
    await admin.locator('[data-testid=rules-dry-run]').click();
    await admin.locator('[data-testid=dry-run-result]').waitFor({ timeout: 10_000 });
    await text.fill(value.replace('field: fill_pct, above: 95', 'field: fill_pcnt, above: 95'));
    await expect.poll(() => admin.locator('[data-testid=rules-problems]').innerText(), { timeout: 10_000 }).toContain('fill_pcnt');
    await shot(admin, 'admin-rules');
    await admin.locator('[data-testid=tab-reports]').click();
    await admin.locator('[data-testid=report]').getByText('办结率').first().waitFor({ timeout: 10_000 });
    // the KPIs as charts too: rates and times by the chosen grouping
    await expect.poll(() => admin.locator('[data-testid=report-charts] canvas').count(), { timeout: 10_000 }).toBe(2);
    await shot(admin, 'admin-reports');
  });
});
