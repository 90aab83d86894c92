// Writes docs/dev-page.png (and docs/dev-transcript.png): dev mode with the offline brain on a temp data dir, a
// mention of @helper (and of an unavailable agent and one that does not exist), the reply, then the thread and the activation's transcript
// in headless Chromium, 1280 px wide. Run with `npx tsx scripts/screenshot-dev-page.ts` (needs /usr/bin/chromium or
// CHROMIUM_PATH).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { silentLogger } from '../src/observability/logger.js';
import { BUNDLED_DEFINITIONS, loadDevSettings } from '../src/devmode/dev-settings.js';
import { startDevMode } from '../src/devmode/start-dev-mode.js';

const OUT_DIR = 'docs';
const WIDTH = 1280;
// No key in the environment: every agent runs on the offline brain, whatever the caller has set.
const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };

const dataDir = mkdtempSync(join(tmpdir(), 'bb-dev-screenshot-'));
const dev = await startDevMode(
  { port: 0, host: '127.0.0.1', definitionsDir: BUNDLED_DEFINITIONS, runners: 2, dataDir },
  loadDevSettings(env),
  silentLogger,
  env,
);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: WIDTH, height: 900 } });
  await page.goto(`${dev.url}/`);
  await page
    .locator('#f-content')
    .fill('@helper what is a circuit breaker? @claude-coder @reviewer could one of you add one to our HTTP client?');
  await page.locator('#f-send').click();
  await page.waitForURL(/#\/post\//);
  await page.locator('.comment', { hasText: 'offline brain' }).waitFor({ timeout: 60_000 });
  await page.locator('.system-line[data-agent="reviewer"]').waitFor();
  await page.locator('.system-line[data-agent="claude-coder"]').waitFor();
  const row = page.locator('#panel-activity .panel-item[data-status="completed"]', { hasText: '@helper' });
  await row.first().waitFor({ timeout: 15_000 });
  mkdirSync(OUT_DIR, { recursive: true });
  await page.screenshot({ path: join(OUT_DIR, 'dev-page.png'), fullPage: true });

  await row.first().click();
  await page.locator('.step-reply').waitFor();
  await page.screenshot({ path: join(OUT_DIR, 'dev-transcript.png'), fullPage: true });
  await page.close();
  console.log(`wrote ${join(OUT_DIR, 'dev-page.png')} and ${join(OUT_DIR, 'dev-transcript.png')} (${WIDTH} px wide)`);
} finally {
  await browser.close();
  await dev.shutdown();
  rmSync(dataDir, { recursive: true, force: true });
}
