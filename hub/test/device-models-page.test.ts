import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { serverAvailable } from '@gridhub/testkit';
import { ensureDashboardBuilt, launchChromium, loginPage } from '../../dashboard/bench/browser.ts';
import { TEST_ADMIN_PASSWORD, testHub } from './support.ts';

type TestHub = Awaited<ReturnType<typeof testHub>>;

/** The admin's device-model page (/models) in headless Chromium: paste a frame, see both outputs. */
describe.skipIf(!serverAvailable('chromium'))('device models page', () => {
  let hub: TestHub;
  let browser: Browser;
  beforeAll(async () => {
    ensureDashboardBuilt();
    hub = await testHub();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.dispose();
  });

  it('decodes a pasted EM400-UDL frame: the codec\'s output beside our contract', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    const page = await loginPage(context, hub.httpUrl, '/models', 'admin', TEST_ADMIN_PASSWORD);
    await page.getByText('milesight-em400-udl', { exact: true }).first().waitFor();
    await page.locator('input[aria-label=model]').click();
    await page.keyboard.type('milesight-em400-udl');
    await page.keyboard.press('Enter');
    await page.locator('[aria-label=frame]').fill('01755C0367010104824408050001');
    await page.locator('[aria-label=binDepthMm]').fill('3000');
    await page.locator('[data-testid=decode]').click();
    const decoded = page.locator('[data-testid=decoded]');
    await decoded.waitFor();
    expect(JSON.parse(await decoded.innerText())).toEqual({ battery: 92, temperature: 25.7, distance: 2116, position: 'tilt' });
    const reading = JSON.parse(await page.locator('[data-testid=reading]').innerText());
    expect(reading[0]).toEqual({ channel: 'telemetry', payload: { distance_mm: 2116, fill_pct: 29.5, temperature_c: 25.7, tilted: true, battery_pct: 92 } });
    await context.close();
  });
});
