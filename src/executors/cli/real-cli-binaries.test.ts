// The real coding CLIs (pinned in scripts/real-clis.json, installed by scripts/install-clis.mjs, which .ci/run calls
// and exports as BOTBURROW_REAL_CLIS) end to end: dev Hub + private redis-server + a runner whose CLI executor runs
// the real binary inside real bubblewrap, with no `sandbox.network`, reaching the fake model only through the LLM
// gateway. The runner is root here and in CI; inside the sandbox the CLI is uid 1000 (claude refuses
// bypassPermissions as root). Scenario: the model asks for the hub search tool (as the CLI names MCP tools) → the
// CLI calls it through the MCP bridge → the tool's result reaches the model's next request → the final text is
// posted as the reply; the activation's tokens are the gateway's meter. Under CI a missing binary fails the test.
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

/** Per CLI: its executor type, the agent's provider, the wire API the CLI speaks for it, and how the CLI names the bridge's `hub_search` tool. */
const CASES = [
  {
    bin: 'claude',
    type: 'claude-code',
    provider: 'anthropic',
    api: 'anthropic',
    searchTool: 'mcp__botburrow__hub_search',
  },
  { bin: 'opencode', type: 'opencode', provider: 'anthropic', api: 'anthropic', searchTool: 'botburrow_hub_search' },
  { bin: 'opencode', type: 'opencode', provider: 'openai', api: 'responses', searchTool: 'botburrow_hub_search' },
] as const;

const USAGE = { input: 1500, output: 40 };
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
  ({ bin, type, provider, api, searchTool }) => {
    const cli = realCli(bin);
    it(`${cli.package}@${cli.version}: hub search through the MCP bridge, reply posted, gateway-metered tokens`, async (ctx) => {
      // Locally a missing binary skips, saying how to install it; under CI it fails.
      ctx.skip(!process.env.CI && !cli.path, `${bin} ${cli.version} is not installed: ${installHint}`);
      if (!cli.path) throw new Error(`${bin} ${cli.version} is not installed (CI=true): ${installHint}`);
      const plain = new Redis(redis.url);
      await plain.flushall();
      await plain.quit();
      h = await RuntimeHarness.start(redis.url, (llm) => [
        {
          name: 'rc',
          type,
          provider,
          apiBase: provider === 'anthropic' ? llm.url : llm.openAiUrl,
          grants: ['hub:read', 'hub:write'],
        },
      ]);
      const harness = h;
      // The model: search first, answer once the tool result is back. Anything else fails loudly (unexpected).
      harness.llm.respondWith((req) => {
        if (!toolNames(req).includes(searchTool)) {
          throw new Error(`request without the ${searchTool} tool: ${toolNames(req).join(', ') || 'no tools'}`);
        }
        if (req.toolResults.length === 0) return toolCall(searchTool, { query: 'retries' }, { usage: USAGE });
        return text(FINAL, { usage: USAGE });
      });
      const env = { ...harness.env, PATH: `${realDir(cli.path)}:${process.env.PATH}` };
      const sandboxLog = captureLogger();
      const sandbox = await createSandbox({ kind: 'bwrap', env, logger: sandboxLog.logger });
      const executors = createExecutorRegistry({ cli: { sandbox, env } });
      const { capture } = await harness.startRunner({ activationTimeoutMs: 90_000 }, env, undefined, { executors });

      await harness.mention('Earlier thread: retries need jitter to avoid thundering herds');
      const post = await harness.mention('@rc how should retries back off?');
      await harness.store.enqueue({ agent_id: 'rc', task_type: 'INBOX', inbox_count: 1, has_mention: true });
      const started = Date.now();
      await waitFor(() => capture.events().some((e) => e === 'activation_completed' || e === 'activation_failed'), {
        timeoutMs: 100_000,
      });
      const failed = capture.lines.find((l) => l.event === 'activation_failed');
      expect(failed, JSON.stringify({ failed, unexpected: harness.llm.unexpected })).toBeUndefined();
      console.info(`real ${bin} ${cli.version} (${provider}): activation in ${Date.now() - started} ms`);

      expect(harness.llm.unexpected).toEqual([]);
      const calls = harness.llm.requests;
      expect(calls.map((r) => [r.api, r.body.stream])).toEqual([
        [api, true],
        [api, true],
      ]);
      // Through the gateway: the real key upstream, never in the sandbox.
      const key = (r: FakeLlmRequest) => r.headers['x-api-key'] ?? r.headers.authorization?.replace(/^Bearer /, '');
      expect(calls.map(key)).toEqual([HARNESS_LLM_KEY, HARNESS_LLM_KEY]);
      // The bridge's search result (the earlier post) came back to the model as the tool result.
      expect(calls[1]!.toolResults).toHaveLength(1);
      expect(calls[1]!.toolResults[0]!.isError).toBe(false);
      expect(calls[1]!.toolResults[0]!.content).toContain('thundering herds');

      const replies = await harness.repliesBy(post.id, 'rc');
      expect(replies.map((r) => r.content)).toEqual([FINAL]);
      const done = capture.lines.find((l) => l.event === 'activation_completed')!;
      expect(done).toMatchObject({ agent_id: 'rc', tokens_in: 2 * USAGE.input, tokens_out: 2 * USAGE.output });
      // The call went through the runner's MCP bridge.
      const bridged = capture.lines.filter((l) => l.event === 'mcp_bridge_call');
      expect(bridged.map((l) => [l.tool, l.ok])).toEqual([['hub_search', true]]);
    }, 120_000);
  },
);

/** The folder of the binary (the CLI executor finds it on PATH). */
function realDir(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}
