import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { silentLogger } from '../observability/logger.js';
import { BUNDLED_DEFINITIONS, loadDevSettings } from '../devmode/dev-settings.js';
import { startDevMode, type DevMode } from '../devmode/start-dev-mode.js';

/** Dev mode on the bundled examples and a headless Chromium to drive its page (browser e2e tests). */
export interface DevPageHarness {
  dev: DevMode;
  browser: Browser;
  /** A new 1280×900 page on the dev page (`#f-content` ready), collecting its script errors in `errors`. */
  openPage(options?: { width?: number; height?: number }): Promise<{ page: Page; errors: string[] }>;
  close(): Promise<void>;
}

/**
 * Start dev mode (2 runners, a temp data folder, `env` as its environment) and Debian's `chromium` (or
 * CHROMIUM_PATH) through playwright-core.
 */
export async function startDevPageHarness(env: NodeJS.ProcessEnv, name: string): Promise<DevPageHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), `bb-${name}-`));
  const dev = await startDevMode(
    { port: 0, host: '127.0.0.1', definitionsDir: BUNDLED_DEFINITIONS, runners: 2, dataDir },
    loadDevSettings(env),
    silentLogger,
    env,
  );
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  } catch (error) {
    await dev.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    dev,
    browser,
    async openPage(options = {}) {
      const page = await browser.newPage({ viewport: { width: options.width ?? 1280, height: options.height ?? 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${dev.url}/`);
      await page.locator('#f-content').waitFor();
      return { page, errors };
    },
    async close() {
      await browser.close();
      await dev.shutdown();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
