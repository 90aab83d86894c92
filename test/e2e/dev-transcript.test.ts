// The dev page in headless Chromium (Debian `chromium`, driven by playwright-core): every mention has a visible
// outcome (a muted system line under the post naming the agent: unknown name, unavailable agent, failed
// activation), and an activation's transcript opens from the Activity panel with its tool calls and results.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevMode } from '../../src/devmode/start-dev-mode.js';
import type { Transcript } from '../../src/devmode/transcripts.js';
import { startDevPageHarness, type DevPageHarness } from '../../src/testing/dev-page-harness.js';

// A secret of the environment: it must never reach a transcript or a system line.
const SECRET = 'sk-e2e-transcript-secret-0123456789';
const env: NodeJS.ProcessEnv = { BRAVE_API_KEY: SECRET };
let h: DevPageHarness;
let dev: DevMode;

beforeAll(async () => {
  h = await startDevPageHarness(env, 'dev-transcript');
  dev = h.dev;
});
afterAll(async () => {
  await h?.close();
});

const openPage = (): Promise<{ page: Page; errors: string[] }> => h.openPage();

async function postFromForm(page: Page, content: string): Promise<void> {
  await page.locator('#f-content').fill(content);
  await page.locator('#f-send').click();
  await page.waitForURL(/#\/post\//);
}

describe('dev page: system lines and activation transcripts (headless Chromium)', () => {
  it('shows a system line naming an unknown agent and an unavailable one (with the fix)', async () => {
    const { page, errors } = await openPage();
    await postFromForm(page, 'hello @nobody-here and @claude-coder');
    const unknown = page.locator('.system-line[data-agent="nobody-here"][data-kind="unknown_agent"]');
    await unknown.waitFor();
    expect(await unknown.textContent()).toContain('no agent named @nobody-here');
    const unavailable = page.locator('.system-line[data-agent="claude-coder"][data-kind="unavailable"]');
    await unavailable.waitFor();
    const text = (await unavailable.textContent()) ?? '';
    expect(text).toContain('@claude-coder is not available');
    // The reason with its fix (what is missing here: the claude CLI, or bubblewrap to run it in).
    const plan = dev.plans.find((p) => p.name === 'claude-coder');
    expect(plan?.status).toBe('unavailable');
    expect(text).toContain((plan as { reason: string }).reason);
    expect(text).toMatch(/install/);
    // Dev-page only: no Hub post or comment carries it, so no agent reads it in its thread.
    const postId = decodeURIComponent(page.url().split('#/post/')[1]!);
    const thread = (await (await fetch(`${dev.url}/web/api/posts/${postId}`)).json()) as { comments: unknown[] };
    expect(thread.comments).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens the transcript of a native activation from the Activity panel: tool call, result, expand', async () => {
    // Posts the offline brain's hub_search finds, so its tool result is long enough to be collapsed.
    for (let i = 0; i < 3; i++)
      await fetch(`${dev.url}/web/api/posts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-devhub-web': '1' },
        body: JSON.stringify({
          content: `Notes ${i} on the circuit breaker pattern: ${'half-open trial calls. '.repeat(20)}`,
        }),
      });
    const { page, errors } = await openPage();
    await postFromForm(page, '@helper what is a circuit breaker?');
    await page.locator('.comment', { hasText: 'offline brain' }).waitFor({ timeout: 30_000 });
    const row = page.locator('#panel-activity .panel-item[data-status="completed"]', {
      hasText: '@human mentioned: "@helper what is a circuit breaker?"',
    });
    await row.first().waitFor({ timeout: 10_000 });
    const id = await row.first().getAttribute('data-item-id');
    await row.first().click();
    await page.waitForURL(new RegExp(`#/activation/${id}$`));

    const call = page.locator('.step-model_turn .tool-call[data-tool="hub_search"]');
    await call.waitFor();
    expect(await call.textContent()).toContain('"query":"circuit breaker"');
    const result = page.locator('.tool-result[data-tool="hub_search"]');
    expect(await result.textContent()).toContain('on the circuit breaker pattern: half-open trial calls.');
    const expand = result.locator('button.expand');
    expect(await expand.textContent()).toMatch(/^expand \(\d+ more chars\)$/);
    const collapsed = ((await result.locator('pre').textContent()) ?? '').length;
    await expand.click();
    await expect
      .poll(async () => ((await result.locator('pre').textContent()) ?? '').length)
      .toBeGreaterThan(collapsed);
    expect(await result.locator('button.expand').count()).toBe(0);
    await page.locator('.step-reply', { hasText: 'offline brain (set ANTHROPIC_API_KEY' }).waitFor();
    expect(await page.locator('.step-system_prompt').count()).toBe(1);
    expect(await page.locator('h2').textContent()).toContain('Activation of @helper');

    // The same transcript over the route the CLI uses, as JSON and as text.
    const json = (await (await fetch(`${dev.url}/dev/api/activations/${id}`)).json()) as Transcript;
    expect(json.steps.map((s) => s.kind)).toContain('tool_result');
    const text = await (await fetch(`${dev.url}/dev/api/activations/${id}?format=text`)).text();
    expect(text).toContain('→ tool call hub_search');
    const missing = await fetch(`${dev.url}/dev/api/activations/no-such-id`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { detail: string }).detail).toContain('DEV_TRANSCRIPTS');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a failed activation under its post with the reason, and its real tokens in the Activity panel', async () => {
    const { page, errors } = await openPage();
    // 108 KB: more than helper's behavior.max_tokens_per_activation (40000) once searched and read twice.
    const huge = `@helper please summarise this log, the key is ${SECRET}:\n${'circuit breaker log line. '.repeat(4400)}`;
    await page.locator('#f-content').fill(huge);
    await page.locator('#f-send').click();
    await page.waitForURL(/#\/post\//);
    const line = page.locator('.system-line[data-agent="helper"][data-kind="failed"]');
    await line.waitFor({ timeout: 30_000 });
    const text = (await line.textContent()) ?? '';
    expect(text).toContain('@helper could not answer');
    expect(text).toContain('max_tokens_per_activation');
    const row = page.locator('#panel-activity .panel-item[data-status="failed"]', { hasText: '@helper' });
    await row.first().waitFor({ timeout: 10_000 });
    const rowText = (await row.first().textContent()) ?? '';
    expect(rowText).toMatch(/tokens [1-9]\d* in \/ \d+ out/);
    expect(rowText).toContain('max_tokens_per_activation');
    // The transcript link under the line opens the failed run.
    await line.locator('a', { hasText: 'transcript' }).click();
    await page.locator('.step-failure', { hasText: 'max_tokens_per_activation' }).waitFor();
    const all = JSON.stringify(dev.transcripts.list().map((t) => dev.transcripts.get(t.id)));
    expect(all).not.toContain(SECRET);
    expect(await page.content()).not.toContain(SECRET);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keeps a 390-px phone free of horizontal scrolling with 3,000-character words in lines and transcripts', async () => {
    const { page, errors } = await h.openPage({ width: 390, height: 844 });
    const word = 'w'.repeat(3000);
    await postFromForm(page, `@${word} and @helper what is a retry? ${word}`);
    await page.locator('.system-line[data-kind="unknown_agent"]').waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.locator('.comment', { hasText: 'offline brain' }).waitFor({ timeout: 30_000 });
    // The trigger shown on the row is cut at 80 characters: it starts with the long word.
    const row = page.locator('#panel-activity .panel-item[data-status="completed"]', {
      hasText: '@human mentioned: "@wwwwwwww',
    });
    await row.first().waitFor({ timeout: 10_000 });
    await row.first().click();
    await page.locator('.step-trigger button.expand').click();
    await page
      .locator('.step-trigger pre', { hasText: `${word}\n</hub_item>` })
      .first()
      .waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(errors).toEqual([]);
    await page.close();
  });
});
