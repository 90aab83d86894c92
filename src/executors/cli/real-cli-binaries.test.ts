// The real coding CLIs (pinned in scripts/real-clis.json, installed by scripts/install-clis.mjs, which .ci/run calls
// and exports as BOTBURROW_REAL_CLIS) end to end: dev Hub + private redis-server + a runner whose CLI executor runs
// the real binary inside real bubblewrap, with no `sandbox.network`, reaching the fake model only through the LLM
// gateway. The runner is root here and in CI; inside the sandbox the CLI is uid 1000 (claude refuses
// bypassPermissions as root). Scenario: the model reads the system prompt file with the CLI's own tool (outside the
// workspace: the unattended permission mode must let it through), then asks for the hub search tool (as the CLI
// names MCP tools) → the CLI calls it through the MCP bridge → the tool's result reaches the model's next request →
// the final text is posted as the reply; the activation's tokens are the gateway's meter. And claude stops at
// --max-turns (exiting 1) as max_iterations_exceeded. Under CI a missing binary fails the test.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createSandbox } from '../../sandbox/create-sandbox.js';
import { captureLogger } from '../../testing/capture-logger.js';
import { processesWithMarker } from '../../testing/fake-clis/process-scan.js';
import { text, toolCall, type FakeLlmRequest } from '../../testing/fake-llm-server.js';
import { installHint, realCli } from '../../testing/real-cli-binaries.js';
import { startRedisServer, type RedisServerHandle } from '../../testing/redis-server.js';
import { HARNESS_LLM_KEY, RuntimeHarness } from '../../testing/runtime-harness.js';
import { waitFor } from '../../testing/wait-for.js';
import { createExecutorRegistry } from '../create-executor-registry.js';

const USAGE = { input: 1500, output: 40 };

/**
 * Per CLI: its executor type, the agent's provider and model, the wire API the CLI speaks for it, how the CLI names the
 * bridge's `hub_search` tool, and a call of its own file-read tool.
 */
const CASES = [
  {
    bin: 'claude',
    type: 'claude-code',
    provider: 'anthropic',
    api: 'anthropic',
    model: 'claude-sonnet-4-6',
    searchTool: 'mcp__botburrow__hub_search',
    read: (path: string) => toolCall('Read', { file_path: path }, { usage: USAGE }),
  },
  {
    bin: 'opencode',
    type: 'opencode',
    provider: 'anthropic',
    api: 'anthropic',
    model: 'claude-sonnet-4-6',
    searchTool: 'botburrow_hub_search',
    read: (path: string) => toolCall('read', { filePath: path }, { usage: USAGE }),
  },
  {
    bin: 'opencode',
    type: 'opencode',
    provider: 'openai',
    api: 'responses',
    // Not in opencode's built-in model list (a model only the gateway's upstream knows).
    model: 'gateway-model-x1',
    searchTool: 'botburrow_hub_search',
    read: (path: string) => toolCall('read', { filePath: path }, { usage: USAGE }),
  },
] as const;

const FINAL = 'Back off exponentially with jitter, as the earlier thread says.';

let redis: RedisServerHandle;
let h: RuntimeHarness | undefined;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis.stop());
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const marker of ['mcp-relay.mjs', 'loopback-relay.mjs']) {
    await waitFor(() => processesWithMarker(marker).length === 0, { timeoutMs: 5000, message: `leftover ${marker}` });
  }
});

function toolNames(req: FakeLlmRequest): string[] {
  const tools: unknown[] = Array.isArray(req.body?.tools) ? req.body.tools : [];
  return tools.map((t: any) => String(t?.name ?? t?.function?.name ?? ''));
}

describe.each(CASES)(
  'real $bin ($type, $provider) in bwrap through the gateway',
  ({ bin, type, provider, api, model, searchTool, read }) => {
    const cli = realCli(bin);
    it(`${cli.package}@${cli.version}: unattended file read, hub search through the MCP bridge, reply posted, gateway-metered tokens`, async (ctx) => {
      // Locally a missing binary skips, saying how to install it; under CI it fails.
      ctx.skip(!process.env.CI && !cli.path, `${bin} ${cli.version} is not installed: ${installHint}`);
      if (!cli.path) throw new Error(`${bin} ${cli.version} is not installed (CI=true): ${installHint}`);
      const { harness, capture } = await startRuntime(cli.path, { type, provider, model });
      // The model: read the system prompt (outside the workspace: only an unattended permission mode lets that
      // through without a prompt), search the Hub through the bridge, then answer. Any other request is unexpected.
      harness.llm.script([
        read('/run/botburrow/system-prompt.md'),
        toolCall(searchTool, { query: 'retries' }, { usage: USAGE }),
        text(FINAL, { usage: USAGE }),
      ]);

      await harness.mention('Earlier thread: retries need jitter to avoid thundering herds');
      const post = await harness.mention('@rc how should retries back off?');
      await harness.store.enqueue({ agent_id: 'rc', task_type: 'INBOX', inbox_count: 1, has_mention: true });
      const started = Date.now();
      await waitFor(() => capture.events().some((e) => e === 'activation_completed' || e === 'activation_failed'), {
        timeoutMs: 160_000,
      });
      const failed = capture.lines.find((l) => l.event === 'activation_failed');
      expect(failed, JSON.stringify({ failed, unexpected: harness.llm.unexpected })).toBeUndefined();
      console.info(`real ${bin} ${cli.version} (${provider}): activation in ${Date.now() - started} ms`);

      expect(harness.llm.unexpected).toEqual([]);
      const calls = harness.llm.requests;
      expect(calls.map((r) => [r.api, r.body.stream, r.body.model])).toEqual([
        [api, true, model],
        [api, true, model],
        [api, true, model],
      ]);
      expect(toolNames(calls[0]!)).toContain(searchTool);
      // Through the gateway: the gateway token never goes upstream, and the fake model on loopback is a local
      // endpoint bound to no key, so no key at all (the runner holds HARNESS_LLM_KEY: a canary).
      const key = (r: FakeLlmRequest) => r.headers['x-api-key'] ?? r.headers.authorization;
      expect(calls.map(key)).toEqual([undefined, undefined, undefined]);
      expect(JSON.stringify(calls)).not.toContain(HARNESS_LLM_KEY);
      // The file outside the workspace was read without anyone to answer a permission prompt.
      expect(calls[1]!.toolResults.map((r) => r.isError)).toEqual([false]);
      expect(calls[1]!.toolResults[0]!.content).toContain('You are rc, a test agent.');
      // The bridge's search result (the earlier post) came back to the model as the tool result.
      expect(calls[2]!.toolResults.map((r) => r.isError)).toEqual([false]);
      expect(calls[2]!.toolResults[0]!.content).toContain('thundering herds');

      const replies = await harness.repliesBy(post.id, 'rc');
      expect(replies.map((r) => r.content)).toEqual([FINAL]);
      const done = capture.lines.find((l) => l.event === 'activation_completed')!;
      expect(done).toMatchObject({ agent_id: 'rc', tokens_in: 3 * USAGE.input, tokens_out: 3 * USAGE.output });
      // The call went through the runner's MCP bridge.
      const bridged = capture.lines.filter((l) => l.event === 'mcp_bridge_call');
      expect(bridged.map((l) => [l.tool, l.ok])).toEqual([['hub_search', true]]);
    }, 180_000);
  },
);

/** A dev Hub, fake LLM and runner whose CLI executors run in real bwrap with the real binary's folder on PATH. */
async function startRuntime(
  binary: string,
  agent: { type: string; provider: 'anthropic' | 'openai'; model: string; behavior?: Record<string, unknown> },
) {
  const plain = new Redis(redis.url);
  await plain.flushall();
  await plain.quit();
  const harness = await RuntimeHarness.start(redis.url, (llm) => [
    {
      name: 'rc',
      ...agent,
      apiBase: agent.provider === 'anthropic' ? llm.url : llm.openAiUrl,
      grants: ['hub:read', 'hub:write'],
    },
  ]);
  h = harness;
  const env = { ...harness.env, PATH: `${realDir(binary)}:${process.env.PATH}` };
  const sandbox = await createSandbox({ kind: 'bwrap', env, logger: captureLogger().logger });
  const executors = createExecutorRegistry({ cli: { sandbox, env } });
  const { capture } = await harness.startRunner({ activationTimeoutMs: 150_000 }, env, undefined, { executors });
  return { harness, capture };
}

describe('real claude: --max-turns', () => {
  const cli = realCli('claude');
  it(`${cli.package}@${cli.version}: stops at behavior.max_iterations (a hidden flag of --help, still honoured)`, async (ctx) => {
    ctx.skip(!process.env.CI && !cli.path, `claude ${cli.version} is not installed: ${installHint}`);
    if (!cli.path) throw new Error(`claude ${cli.version} is not installed (CI=true): ${installHint}`);
    const { harness, capture } = await startRuntime(cli.path, {
      type: 'claude-code',
      provider: 'anthropic',
      model: 'claude-sonnet-4-6',
      behavior: { max_iterations: 1 },
    });
    // A model that never stops searching.
    harness.llm.respondWith(() => toolCall('mcp__botburrow__hub_search', { query: 'retries' }, { usage: USAGE }));
    await harness.mention('@rc search forever');
    await harness.store.enqueue({ agent_id: 'rc', task_type: 'INBOX', inbox_count: 1, has_mention: true });
    await waitFor(() => capture.events().some((e) => e === 'activation_completed' || e === 'activation_failed'), {
      timeoutMs: 160_000,
    });
    const failed = capture.lines.find((l) => l.event === 'activation_failed');
    expect(failed, JSON.stringify(failed)).toMatchObject({ code: 'max_iterations_exceeded' });
    expect(harness.llm.unexpected).toEqual([]);
    expect(harness.llm.requests).toHaveLength(1);
  }, 180_000);
});

/** The folder of the binary (the CLI executor finds it on PATH). */
function realDir(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}
