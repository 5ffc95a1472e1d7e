import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumPath } from '@gridhub/testkit';

/** Launch flags for Debian's Chromium headless on a shared CI box. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const DASHBOARD_ROOT = join(import.meta.dirname, '..');

/** Builds dashboard/dist unless it is already newer than its sources (a few seconds otherwise). */
export function ensureDashboardBuilt(): void {
  execFileSync(process.execPath, ['--import', 'tsx', join(DASHBOARD_ROOT, 'scripts', 'build.ts')], { cwd: DASHBOARD_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

/** Sound without a click first, as a control-room desk is set up (kiosk): the siren test needs it. */
export const AUTOPLAY_ARGS = ['--autoplay-policy=no-user-gesture-required'];

export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('chromium is not installed');
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** Opens `path` and logs in through the login form; resolves once the live socket has its snapshot. */
export async function loginPage(context: BrowserContext, baseUrl: string, path: string, username: string, password: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}${path}`);
  await page.locator('input#username').fill(username);
  await page.locator('input#password').fill(password);
  await page.locator('button[type=submit]').click();
  try {
    await page.locator('html[data-live=ready]').waitFor({ state: 'attached', timeout: 15_000 });
  } catch (err) {
    const text = await page.locator('body').innerText().catch(() => '');
    throw new Error(`${username} could not log in at ${path}: ${text.slice(0, 300)}`, { cause: err });
  }
  return page;
}
