// CLI executors end to end: dev Hub + private redis-server + a runner whose PATH starts with fake CLIs
// (src/testing/fake-clis: claude, codex, gemini, goose, aider, opencode, fake-custom) that check their real flags and print their
// real output formats, calling their model (the fake LLM) through the runner's LLM gateway like the real tools.
// Covers: reply posted and the gateway's token count reported per tool (not the CLI's); Hub tools through the MCP bridge;
// non-zero exit → cli_exit_nonzero/executor_error with the stderr tail; hang → ACTIVATION_TIMEOUT with the whole
// process tree gone; unreadable output; a missing CLI → `not available` + backoff while other agents keep running;
// the secrets canary (env, argv and config files of the CLI hold no runner secret and no provider key, yet its MCP
// config and its model work).
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../../sandbox/create-sandbox.js';
import { captureLogger } from '../../testing/capture-logger.js';
import { processesWithMarker } from '../../testing/fake-clis/process-scan.js';
import { startRedisServer, type RedisServerHandle } from '../../testing/redis-server.js';
import { text } from '../../testing/fake-llm-server.js';
import { HARNESS_LLM_KEY, HARNESS_SERVICE_KEY, RuntimeHarness } from '../../testing/runtime-harness.js';
import { waitFor } from '../../testing/wait-for.js';
import { createExecutorRegistry } from '../create-executor-registry.js';

const FAKES = resolve('src/testing/fake-clis');
const PAT = 'ghp_canaryPAT0123456789abcdefghijklmnop';
const UNRELATED = 'unrelated-canary-secret-42';

let redis: RedisServerHandle;
let h: RuntimeHarness;
const cleanup: string[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis.stop());
afterEach(async () => {
  await h?.close();
  for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
  // Nothing a CLI started may outlive its activation: fake CLIs, their children, the MCP relay.
  for (const marker of [`${FAKES}/fake-`, 'fake-child-', 'mcp-relay.mjs', 'loopback-relay.mjs']) {
    await waitFor(() => processesWithMarker(marker).length === 0, { timeoutMs: 15_000, message: `leftover ${marker}` });
  }
});

const CUSTOM_YAML = `executor:
  command: fake-custom
  args: ["--prompt", "\${PROMPT}", "--system", "\${SYSTEM_PROMPT_FILE}", "--workspace", "\${WORKSPACE}", "--mcp", "\${MCP_CONFIG}"]`;

const AGENTS = {
  cc: 'claude-code',
  cx: 'codex',
  gx: 'gemini-cli',
  gz: 'goose',
  ad: 'aider',
  oc: 'opencode',
  cu: 'custom',
} as const;
type Agent = keyof typeof AGENTS;
/** Provider per agent, so the fakes speak every format: Messages SSE (cc) and JSON (ad), Chat SSE (gz) and JSON
 * (cu), Responses SSE (oc, cx), Gemini SSE (gx). */
const PROVIDER: Record<Agent, 'anthropic' | 'openai' | 'google'> = {
  cc: 'anthropic',
  cx: 'openai',
  gx: 'google',
  gz: 'openai',
  ad: 'anthropic',
  oc: 'openai',
  cu: 'openai',
};
/** What the fake LLM reports per call; every fake CLI prints other figures (e.g. claude 120/30). */
const LLM_USAGE = { input: 1234, output: 56 };

async function start(opts: { kind?: 'bwrap' | 'process'; path?: string; timeoutMs?: number; keep?: boolean } = {}) {
  const plain = new Redis(redis.url);
  await plain.flushall();
  await plain.quit();
  h = await RuntimeHarness.start(redis.url, (llm) =>
    Object.entries(AGENTS).map(([name, type]) => ({
      name,
      type,
      provider: PROVIDER[name as Agent],
      apiBase: PROVIDER[name as Agent] === 'openai' ? llm.openAiUrl : llm.url,
      grants: ['hub:read', 'hub:write', 'github:read'],
      extraYaml: type === 'custom' ? CUSTOM_YAML : '',
    })),
  );
  h.llm.respondWith(() => text('the model says: breakers trip on repeated failures', { usage: LLM_USAGE }));
  const env = {
    ...h.env,
    PATH: opts.path ?? `${FAKES}:${process.env.PATH}`,
    GITHUB_PAT: PAT,
    UNRELATED_SECRET: UNRELATED,
  };
  const sandboxLog = captureLogger();
  const sandbox = await createSandbox({
    kind: opts.kind ?? 'bwrap',
    env,
    logger: sandboxLog.logger,
    keepWorkspaces: opts.keep,
  });
  const executors = createExecutorRegistry({ cli: { sandbox, env } });
  const runner = await h.startRunner({ activationTimeoutMs: opts.timeoutMs ?? 20_000 }, env, undefined, { executors });
  return { ...runner, sandboxLog };
}

async function ask(agent: Agent, text: string) {
  const post = await h.mention(`@${agent} ${text}`);
  await h.store.enqueue({ agent_id: agent, task_type: 'INBOX', inbox_count: 1, has_mention: true });
  return post;
}

const TOOL_NAME: Record<Agent, string> = {
  cc: 'claude',
  cx: 'codex',
  gx: 'gemini',
  gz: 'goose',
  ad: 'aider',
  oc: 'opencode',
  cu: 'custom',
};

describe.each(['bwrap', 'process'] as const)('CLI executors in the %s sandbox', (kind) => {
  it.each(Object.keys(AGENTS) as Agent[])(
    '%s: posts the parsed reply and reports the metered tokens',
    async (agent) => {
      const { capture } = await start({ kind });
      const post = await ask(agent, 'what is a circuit breaker?');
      const [reply] = await waitFor(
        async () => {
          const r = await h.repliesBy(post.id, agent);
          return r.length > 0 ? r : undefined;
        },
        { timeoutMs: 15_000 },
      );
      expect(reply!.content).toBe(
        `${TOOL_NAME[agent]} fake says: circuit breakers stop calls to failing dependencies.`,
      );
      await waitFor(() => capture.events().includes('activation_completed'));
      const done = capture.lines.find((l) => l.event === 'activation_completed')!;
      expect(done).toMatchObject({
        agent_id: agent,
        tokens_in: LLM_USAGE.input,
        tokens_out: LLM_USAGE.output,
        replies: 1,
      });
      // The fake model is on loopback: a local endpoint bound to no key gets none, though the runner holds one.
      const presented = { anthropic: 'x-api-key', openai: 'authorization', google: 'x-goog-api-key' } as const;
      expect(h.llm.requests.map((r) => r.headers[presented[PROVIDER[agent]]])).toEqual([undefined]);
      expect(h.llm.unexpected).toEqual([]);
    },
  );

  it.each(Object.keys(AGENTS) as Agent[])(
    '%s: a hang is killed at ACTIVATION_TIMEOUT with all its children',
    async (agent) => {
      // Long enough for the CLI and its two children to start on a loaded machine before the timeout kills them.
      const { capture } = await start({ kind, timeoutMs: 6000 });
      const marker = `hang${agent}${kind}${Date.now()}`;
      await ask(agent, `FAKE:hang=${marker}`);
      await waitFor(() => processesWithMarker(`fake-child-${marker}`).length === 2, { timeoutMs: 30_000 });
      await waitFor(() => capture.events().includes('activation_failed'), { timeoutMs: 30_000 });
      expect(capture.events()).toContain('activation_timeout');
      expect(processesWithMarker(marker)).toEqual([]);
      expect(await h.store.getBackoff(agent)).toMatchObject({ failures: 1 });
    },
    90_000,
  );
});

describe('CLI executors: failures', () => {
  it.each(Object.keys(AGENTS) as Agent[])(
    '%s: non-zero exit is executor_error with the code and stderr tail',
    async (agent) => {
      const { capture } = await start();
      const post = await ask(agent, 'FAKE:exit=3');
      await waitFor(() => capture.events().includes('activation_failed'), { timeoutMs: 15_000 });
      const failed = capture.lines.find((l) => l.event === 'activation_failed')!;
      expect(failed.code).toBe('cli_exit_nonzero');
      expect(failed.error).toContain(`Executor '${AGENTS[agent]}' exited with code 3`);
      expect(failed.error).toContain('API Error: 401 invalid x-api-key');
      expect(capture.events()).toContain('executor_error');
      expect(await h.repliesBy(post.id, agent)).toEqual([]);
      expect(await h.store.getBackoff(agent)).toMatchObject({ failures: 1 });
    },
  );

  it.each(['cc', 'cx', 'gx', 'gz', 'ad', 'oc'] as Agent[])(
    '%s: output not in the tool format is cli_output_invalid',
    async (agent) => {
      const { capture } = await start();
      await ask(agent, 'FAKE:garbage');
      await waitFor(() => capture.events().includes('activation_failed'), { timeoutMs: 15_000 });
      expect(capture.lines.find((l) => l.event === 'activation_failed')!.code).toBe('cli_output_invalid');
    },
  );

  it('gx: more model turns than behavior.max_iterations is max_iterations_exceeded (gemini exits 53)', async () => {
    const { capture } = await start();
    await ask('gx', 'FAKE:llmcalls=6 think long');
    await waitFor(() => capture.events().includes('activation_failed'), { timeoutMs: 15_000 });
    const failed = capture.lines.find((l) => l.event === 'activation_failed')!;
    expect(failed.code).toBe('max_iterations_exceeded');
    expect(h.llm.requests).toHaveLength(5);
  });

  it('a missing CLI is not available (backoff) while other agents keep running', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'bb-partial-path-'));
    cleanup.push(bin);
    symlinkSync(join(FAKES, 'claude'), join(bin, 'claude'));
    const { capture } = await start({ path: `${bin}:/usr/local/bin:/usr/bin:/bin` });
    await ask('oc', 'hello?');
    await waitFor(() => capture.events().includes('activation_failed'), { timeoutMs: 15_000 });
    const failed = capture.lines.find((l) => l.event === 'activation_failed')!;
    expect(failed.error).toBe(
      "Executor 'opencode' not available: 'opencode' not found on PATH; install npm package opencode-ai or change the agent's type",
    );
    expect(failed.code).toBe('executor_not_available');
    expect(await h.store.getBackoff('oc')).toMatchObject({ failures: 1 });
    const post = await ask('cc', 'still there?');
    await waitFor(async () => (await h.repliesBy(post.id, 'cc')).length === 1, { timeoutMs: 15_000 });
  });
});

describe('CLI executors: MCP bridge and secrets', () => {
  it.each(['cc', 'cx', 'gx', 'gz', 'oc', 'cu'] as Agent[])('%s: calls Hub tools through the bridge', async (agent) => {
    const { capture } = await start();
    await h.mention('Earlier thread: retries need jitter to avoid thundering herds');
    const post = await ask(agent, 'FAKE:tool=hub_search how should retries back off?');
    const [reply] = await waitFor(
      async () => {
        const r = await h.repliesBy(post.id, agent);
        return r.length > 0 ? r : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(reply!.content).toContain('Tool said:');
    expect(reply!.content).toContain('thundering herds');
    await waitFor(() => capture.events().includes('activation_completed'));
  });

  it.each(['cc', 'cx', 'gx', 'gz', 'oc', 'cu'] as Agent[])(
    '%s: env, argv and config files hold no runner secret, yet the MCP config reaches the hub tools',
    async (agent) => {
      const { capture, sandboxLog } = await start({ keep: true });
      const post = await ask(agent, 'FAKE:record FAKE:tool=hub_get_thread');
      const [reply] = await waitFor(
        async () => {
          const r = await h.repliesBy(post.id, agent);
          return r.length > 0 ? r : undefined;
        },
        { timeoutMs: 15_000 },
      );
      expect(reply!.content).toContain('Tool said:');
      expect(reply!.content).toContain(post.id);
      await waitFor(() => capture.events().includes('activation_completed'));
      const kept = sandboxLog.lines.find((l) => l.event === 'sandbox_workspace_kept')!.path as string;
      cleanup.push(kept);
      const record = readFileSync(join(kept, 'workspace', 'fake-record.json'), 'utf8');
      const parsed = JSON.parse(record) as {
        argv: string[];
        env: Record<string, string>;
        files: Record<string, string>;
      };
      expect(Object.keys(parsed.files).length).toBeGreaterThan(0);
      for (const secret of [HARNESS_SERVICE_KEY, HARNESS_LLM_KEY, PAT, UNRELATED]) expect(record).not.toContain(secret);
      expect(Object.keys(parsed.env)).not.toEqual(expect.arrayContaining(['HUB_API_KEY']));
      expect(parsed.env.HUB_URL).toBeUndefined();
    },
  );
});
