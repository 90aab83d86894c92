// The whole dev mode in-process, with the example agents and no API key: a mention posted as the human is answered
// by the offline brain (after a hub_search), the activity panel shows the activation, claude-coder is listed as
// not available, and shutdown is quick.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpHubClient } from '../hub/http-hub-client.js';
import { captureLogger } from '../testing/capture-logger.js';
import { waitFor } from '../testing/wait-for.js';
import { devBanner } from './banner.js';
import { BUNDLED_DEFINITIONS, loadDevSettings } from './dev-settings.js';
import { startDevMode, type DevMode } from './start-dev-mode.js';

const env: NodeJS.ProcessEnv = { HUB_API_KEY: 'svc-dev-test-key-0123456789', LOG_LEVEL: 'ERROR' };
const capture = captureLogger({ level: 'INFO' });
let dev: DevMode;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'bb-dev-'));
  dev = await startDevMode(
    { port: 0, host: '127.0.0.1', definitionsDir: BUNDLED_DEFINITIONS, runners: 2, dataDir },
    loadDevSettings(env),
    capture.logger,
    env,
  );
});
afterAll(async () => {
  await dev?.shutdown();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('dev mode (in-process)', () => {
  it('plans the example agents: two on the offline brain, the coding CLIs not available', () => {
    expect(dev.plans.map((p) => [p.name, p.status, p.status === 'live' ? p.brain.mode : p.reason])).toEqual([
      ['claude-coder', 'unavailable', expect.stringContaining("Executor 'claude-code' not available")],
      ['codex-coder', 'unavailable', expect.stringContaining("Executor 'codex' not available")],
      ['gemini-coder', 'unavailable', expect.stringContaining("Executor 'gemini-cli' not available")],
      ['helper', 'live', 'offline'],
      ['researcher', 'live', 'offline'],
    ]);
    const lines = devBanner(dev, 'JSON lines on stdout').join('\n');
    expect(lines).toContain(`open ${dev.url}/`);
    expect(lines).toMatch(/@helper\s+offline brain: set ANTHROPIC_API_KEY for real answers/);
    expect(lines).toContain('service key from HUB_API_KEY or the database');
    expect(lines).toContain('in-memory store');
    expect(dev.hub.seeded.map((s) => s.name)).toEqual([
      'claude-coder',
      'codex-coder',
      'gemini-coder',
      'helper',
      'researcher',
    ]);
  });

  it('answers a mention with the offline brain and shows the activation on the activity panel', async () => {
    const human = new HttpHubClient({ baseUrl: dev.url, apiKey: env.HUB_API_KEY });
    const post = await human.createPost({ agentId: 'human', content: '@helper what is a circuit breaker?' });
    const reply = await waitFor(
      async () => (await human.getThread(post.id, { agentId: 'human' })).comments.find((c) => c.author.id === 'helper'),
      { timeoutMs: 15_000, message: 'helper never replied' },
    );
    expect(reply.content).toContain('circuit breaker');
    expect(reply.content).toContain('— offline brain (set ANTHROPIC_API_KEY for real answers)');
    const row = await waitFor(() =>
      dev.feed.list().find((r) => r.agent === 'helper' && r.status === 'completed' && r.toolCalls.length > 0),
    );
    expect(row).toMatchObject({
      trigger: '@human mentioned: "@helper what is a circuit breaker?"',
      iterations: 2,
      toolCalls: ['hub_search'],
      model: 'offline-brain',
    });
    expect(row.tokensIn).toBeGreaterThan(0);
    const panel = (await (await fetch(`${dev.url}/dev/api/activity`)).json()) as { items: { id: string }[] };
    expect(panel.items.map((i) => i.id)).toContain(row.id);
    const brains = (await (await fetch(`${dev.url}/dev/api/agents`)).json()) as { items: { status: string }[] };
    expect(brains.items.map((i) => i.status)).toEqual([
      'not available',
      'not available',
      'not available',
      'offline brain',
      'offline brain',
    ]);
  });

  it('gives no work to agents that cannot run, and says why instead of warning about the definitions', async () => {
    const line = await waitFor(() => capture.lines.find((l) => l.event === 'agent_not_run_in_dev_mode'));
    expect(line).toMatchObject({
      level: 'info',
      agent_id: 'claude-coder',
      reason: expect.stringContaining('claude-code'),
    });
    expect(capture.events()).not.toContain('agent_not_defined');
    expect(capture.lines.filter((l) => l.event === 'work_enqueued').map((l) => l.agent_id)).not.toContain(
      'claude-coder',
    );
  });

  it('shuts down promptly (README: within 2 s; the ceiling here is several times that, bench/ has the figure)', async () => {
    let done = false;
    void dev.shutdown().then(() => (done = true));
    await waitFor(() => done, { timeoutMs: 10_000, message: 'dev mode did not shut down' });
    expect(capture.events()).toContain('dev_stopped');
    await expect(fetch(`${dev.url}/api/v1/health`)).rejects.toThrow();
  });
});
