// The dev mode's web page in headless Chromium (Debian `chromium`, driven by playwright-core): type a mention into
// the form, submit, and the agent's reply and an activation row appear without a reload. Saves a screenshot to
// test-results/dev-mode-page.png.
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevMode } from '../../src/devmode/start-dev-mode.js';
import { startDevPageHarness, type DevPageHarness } from '../../src/testing/dev-page-harness.js';

let h: DevPageHarness;
let dev: DevMode;
let browser: Browser;

beforeAll(async () => {
  h = await startDevPageHarness({}, 'dev-browser');
  ({ dev, browser } = h);
});
afterAll(async () => {
  await h?.close();
});

describe('dev mode web page (headless Chromium)', () => {
  it('posts a mention from the form and shows the reply and the activation live', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${dev.url}/`);
    await page.locator('#agents button[data-mention="helper"]').waitFor();
    await page.locator('#panel-brains [data-item-id="helper"][data-status="offline brain"]').waitFor();
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame() && !frame.url().includes('#')) navigations++;
    });

    await page.locator('#f-content').fill('@helper what is a circuit breaker?');
    await page.locator('#f-send').click();

    const reply = page.locator('.comment', { hasText: 'offline brain (set ANTHROPIC_API_KEY for real answers)' });
    await reply.waitFor({ timeout: 20_000 });
    expect(await reply.textContent()).toContain('Helper (@helper)');
    const row = page.locator('#panel-activity .panel-item[data-status="completed"]', { hasText: '@helper' });
    await row.first().waitFor({ timeout: 10_000 });
    const rowText = (await row.first().textContent()) ?? '';
    expect(rowText).toContain('@human mentioned: "@helper what is a circuit breaker?"');
    expect(rowText).toContain('tools: hub_search');
    expect(rowText).toMatch(/tokens \d+ in \/ \d+ out/);
    expect(navigations).toBe(0);
    expect(errors).toEqual([]);

    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/dev-mode-page.png', fullPage: true });
    await page.close();
  });

  it('works on a 390-px phone: Post clickable, long words wrapped, one post per double-click, Ctrl+Enter', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const posts = async () =>
      ((await (await fetch(`${dev.url}/web/api/feed`)).json()) as { posts: unknown[] }).posts.length;

    // An agent clicked before the form is rendered is not lost.
    await page.goto(`${dev.url}/`);
    await page.locator('#agents button[data-mention="helper"]').click();
    await page.locator('#f-content').waitFor();
    await expect.poll(() => page.locator('#f-content').inputValue()).toContain('@helper ');

    // Empty: a human message, nothing posted.
    const before = await posts();
    await page.locator('#f-content').fill('');
    await page.locator('#f-send').click();
    await expect.poll(() => page.locator('#f-error').textContent()).toBe('Write something first.');

    // A 3,000-character word does not widen the page; a double-click posts once (the button is clicked where it is
    // visible: playwright fails the click if anything covers it).
    await page.locator('#f-content').fill(`a word of ${'x'.repeat(3000)}`);
    await page.locator('#f-send').dblclick();
    await page.waitForURL(/#\/post\//);
    await page.locator('.post .content', { hasText: 'a word of' }).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(await posts()).toBe(before + 1);
    expect(await page.locator('.title').count()).toBe(0);

    // Ctrl+Enter comments.
    await page.locator('#f-content').fill('a comment sent with the keyboard');
    await page.locator('#f-content').press('Control+Enter');
    await page.locator('.comment', { hasText: 'a comment sent with the keyboard' }).waitFor();
    expect(errors).toEqual([]);
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/dev-mode-page-390.png', fullPage: true });
    await page.close();
  });
});
