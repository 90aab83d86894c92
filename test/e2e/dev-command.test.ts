// `botburrow-agents dev` as a child process, the way a newcomer runs it: example agents, no API key. A mention
// posted through the Hub API as the human gets the offline brain's reply; Ctrl-C (SIGINT) exits 0 within 2 s.
// The same flow with REDIS_URL set runs on Redis (the runners register there); Ctrl-C during an activation hands
// its work back to the Redis queue.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpHubClient } from '../../src/hub/http-hub-client.js';
import { ChildService } from '../../src/testing/child-service.js';
import { freePort, startRedisServer, type RedisServerHandle } from '../../src/testing/redis-server.js';
import { writeAgentDefinitions } from '../../src/testing/agent-fixtures.js';
import { FakeLlmServer, text } from '../../src/testing/fake-llm-server.js';
import { waitFor } from '../../src/testing/wait-for.js';
import { RedisStore } from '../../src/store/redis/redis-store.js';

const SERVICE_KEY = 'svc-dev-e2e-key-0123456789';
const children: ChildService[] = [];
const dirs: string[] = [];

/** The parent's env without anything that would change what dev mode does (keys, Redis, definitions). */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'VALKEY_URL', 'REDIS_URL', 'AGENT_DEFINITIONS_PATH'])
    delete env[name];
  return { ...env, HUB_API_KEY: SERVICE_KEY, LOG_LEVEL: 'INFO', ...extra };
}

async function startDev(extraEnv: NodeJS.ProcessEnv = {}, extraArgs: string[] = []) {
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'bb-dev-e2e-'));
  dirs.push(data);
  const dev = new ChildService(['dev', '--port', String(port), '--data', data, ...extraArgs], cleanEnv(extraEnv));
  children.push(dev);
  const started = await dev.waitForEvent('dev_started', 30_000);
  expect(started.url).toBe(`http://127.0.0.1:${port}`);
  return { dev, started, url: `http://127.0.0.1:${port}` };
}

async function mentionAndWaitForReply(url: string) {
  const human = new HttpHubClient({ baseUrl: url, apiKey: SERVICE_KEY });
  const post = await human.createPost({ agentId: 'human', content: '@helper what is a circuit breaker?' });
  const reply = await waitFor(
    async () => (await human.getThread(post.id, { agentId: 'human' })).comments.find((c) => c.author.id === 'helper'),
    { timeoutMs: 20_000, intervalMs: 100, message: 'no reply from @helper' },
  );
  expect(reply.content).toContain('— offline brain (set ANTHROPIC_API_KEY for real answers)');
  return reply;
}

/** Ctrl-C: README promises a stop within 2 s; the ceiling here is several times that (bench/ has the figure). */
async function interruptAndExpectCleanExit(dev: ChildService) {
  dev.kill('SIGINT');
  await waitFor(() => !dev.alive, { timeoutMs: 10_000, message: 'dev mode still running after Ctrl-C' });
  expect(await dev.exited).toBe(0);
  expect(dev.events()).toContain('dev_stopped');
}

afterEach(async () => {
  for (const c of children.splice(0)) await c.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('botburrow-agents dev (in-memory store)', () => {
  it('starts, answers a mention with the offline brain, and exits 0 on Ctrl-C', async () => {
    const { dev, started } = await startDev();
    expect(started).toMatchObject({ store: 'memory', runners: 2 });
    expect(dev.output).toContain('Botburrow dev mode is running: open http://127.0.0.1:');
    expect(dev.output).toMatch(/@helper\s+offline brain: set ANTHROPIC_API_KEY for real answers/);
    // the one wording of a missing CLI (as the runner and doctor say it), not "not available: Executor … not available"
    expect(dev.output).toMatch(/@claude-coder\s+Executor 'claude-code' not available: /);
    expect(dev.output).toContain('`botburrow-agents dev keys` prints them again');
    expect(dev.output).toContain('logs:     JSON lines on stdout');
    await mentionAndWaitForReply(started.url as string);
    await dev.waitForEvent('activation_completed');
    await interruptAndExpectCleanExit(dev);
    // stdout is a pipe here: only JSON lines on it (banner and goodbye went to stderr), so jq never chokes.
    expect(dev.nonJsonStdout).toEqual([]);
    expect(dev.lines.length).toBeGreaterThan(5);
    expect(dev.duplicateKeyLines).toEqual([]);
    expect(dev.output).toContain('botburrow dev mode stopped');
  });

  it('rejects bad flags with a config error', async () => {
    const dev = new ChildService(['dev', '--runners', 'zero'], cleanEnv());
    children.push(dev);
    expect(await dev.exited).toBe(78);
    expect(dev.output).toContain('--runners must be 1..32, got zero');
    const missing = join(tmpdir(), 'bb-no-such-definitions');
    const noDefs = new ChildService(['dev', '--port', '0', '--definitions', missing], cleanEnv());
    children.push(noDefs);
    expect(await noDefs.exited).toBe(78);
    expect(noDefs.output).toContain(`--definitions ${missing}: no such folder`);
  });
});

describe('botburrow-agents dev with REDIS_URL', () => {
  let redis: RedisServerHandle;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('runs the same flow on Redis', async () => {
    const { dev, started } = await startDev({ REDIS_URL: redis.url });
    expect(started.store).toBe('redis');
    expect(dev.output).toContain(`Redis/Valkey at ${redis.url}`);
    const store = await RedisStore.create({ url: redis.url });
    try {
      await waitFor(async () => (await store.listRunners()).length === 2, { timeoutMs: 10_000 });
      expect((await store.listRunners()).map((r) => r.runner_id).sort()).toEqual(['dev-runner-1', 'dev-runner-2']);
      expect((await store.currentLeader())?.instanceId ?? '').toMatch(/^dev-coordinator-/);
      await mentionAndWaitForReply(started.url as string);
      await interruptAndExpectCleanExit(dev);
      expect(await store.listRunners()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('Ctrl-C while an activation runs: the activation gets 1 s, then its work is handed back to the queue', async () => {
    const llm = await FakeLlmServer.start({});
    try {
      // A model that never answers in time (a local api_base needs no key).
      llm.respondWith(() => text('too late', { latencyMs: 120_000 }));
      const defs = writeAgentDefinitions([{ name: 'slowpoke', provider: 'openai', apiBase: llm.openAiUrl }]);
      dirs.push(defs);
      const { dev, started } = await startDev({ REDIS_URL: redis.url }, ['--definitions', defs]);
      const human = new HttpHubClient({ baseUrl: started.url as string, apiKey: SERVICE_KEY });
      await human.createPost({ agentId: 'human', content: '@slowpoke are you there?' });
      await dev.waitForEvent('activation_started', 30_000);
      await waitFor(() => llm.requests.length > 0, { timeoutMs: 10_000, message: 'the model was never called' });
      await interruptAndExpectCleanExit(dev);
      const released = dev.events().indexOf('activation_released');
      expect(released, 'activation_released').toBeGreaterThanOrEqual(0);
      expect(released).toBeLessThan(dev.events().indexOf('dev_stopped'));
      expect(dev.events()).not.toContain('activation_completed');
      const store = await RedisStore.create({ url: redis.url });
      try {
        expect(await store.listInFlight()).toEqual([]);
        expect((await store.listQueue('high')).map((i) => [i.agent_id, i.attempt])).toEqual([['slowpoke', 1]]);
        expect(await store.getBackoff('slowpoke')).toBeNull();
      } finally {
        await store.close();
      }
    } finally {
      await llm.close();
    }
  });
});
