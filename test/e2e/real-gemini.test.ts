// The real `gemini` CLI (@google/gemini-cli, BOTBURROW_REAL_CLIS) end to end: a mention on the dev Hub → the runner's
// gemini-cli executor → `gemini -p` inside the real bubblewrap sandbox with no `sandbox.network`, reaching the fake
// model only through the LLM gateway (Gemini API, streamGenerateContent SSE). The fake model first calls the hub
// search tool (`mcp_botburrow_hub_search`, as gemini names MCP tools), gemini calls it through the MCP bridge, the
// tool result reaches the model's next request, and the final text is posted as the reply; tokens are the gateway's
// meter. Skips locally without the binary; fails under CI=true.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createExecutorRegistry } from '../../src/executors/create-executor-registry.js';
import { createSandbox } from '../../src/sandbox/create-sandbox.js';
import { captureLogger } from '../../src/testing/capture-logger.js';
import { text, toolCalls } from '../../src/testing/fake-llm-server.js';
import { findRealCli, mustRunInCi } from '../../src/testing/real-cli.js';
import { startRedisServer, type RedisServerHandle } from '../../src/testing/redis-server.js';
import { HARNESS_LLM_KEY, RuntimeHarness } from '../../src/testing/runtime-harness.js';
import { waitFor } from '../../src/testing/wait-for.js';

const gemini = findRealCli('gemini');
const run = gemini.ok || mustRunInCi();
if (!gemini.ok) console.warn(`real gemini e2e ${run ? 'FAILS' : 'skipped'}: ${gemini.reason}`);

let redis: RedisServerHandle;
let h: RuntimeHarness | undefined;

describe.runIf(run)('real gemini CLI through the runner (bwrap, no network)', () => {
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis?.stop());
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('calls hub_search through the MCP bridge, posts the final text and reports the gateway-metered tokens', async () => {
    if (!gemini.ok) throw new Error(`the real gemini binary is required under CI: ${gemini.reason}`);
    const plain = new Redis(redis.url);
    await plain.flushall();
    await plain.quit();
    h = await RuntimeHarness.start(redis.url, (llm) => [
      {
        name: 'gx',
        type: 'gemini-cli',
        provider: 'google',
        apiBase: llm.url,
        grants: ['hub:read', 'hub:write'],
        systemPrompt: 'You are gx, a gemini test agent. Search the Hub before answering.',
      },
    ]);
    h.llm.script([
      toolCalls([{ name: 'mcp_botburrow_hub_search', args: { query: 'jitter' } }], {
        usage: { input: 900, output: 12 },
      }),
      text('Back off exponentially with jitter, as the earlier thread says.', { usage: { input: 1000, output: 15 } }),
    ]);
    const env = { ...h.env, PATH: `${gemini.binDir}:${process.env.PATH}` };
    const sandboxLog = captureLogger();
    const sandbox = await createSandbox({ kind: 'bwrap', env, logger: sandboxLog.logger });
    const executors = createExecutorRegistry({ cli: { sandbox, env } });
    const { capture } = await h.startRunner({ activationTimeoutMs: 60_000 }, env, undefined, { executors });

    await h.mention('Earlier thread: retries need jitter to avoid thundering herds');
    const post = await h.mention('@gx how should retries back off?');
    await h.store.enqueue({ agent_id: 'gx', task_type: 'INBOX', inbox_count: 1, has_mention: true });
    await waitFor(() => capture.events().some((e) => e === 'activation_completed' || e === 'activation_failed'), {
      timeoutMs: 50_000,
      message: 'the gemini activation did not end',
    });
    expect(capture.lines.find((l) => l.event === 'activation_failed')?.error).toBeUndefined();
    const [reply] = await h.repliesBy(post.id, 'gx');
    expect(reply!.content).toBe('Back off exponentially with jitter, as the earlier thread says.');

    const calls = h.llm.requests;
    expect(calls).toHaveLength(2);
    expect(calls.map((r) => [r.path, r.headers['x-goog-api-key']])).toEqual([
      ['/v1beta/models/gemini-2.5-flash:streamGenerateContent', undefined],
      ['/v1beta/models/gemini-2.5-flash:streamGenerateContent', undefined],
    ]);
    // The fake model is on loopback, bound to no key: none goes upstream; the runner's key is a canary.
    expect(JSON.stringify(calls)).not.toContain(HARNESS_LLM_KEY);
    // gemini declares the bridge's tools as mcp_<server>_<tool>; the system prompt file replaces its own.
    const declared = (calls[0]!.body.tools as any[]).flatMap((t) => t.functionDeclarations ?? []);
    expect(declared.map((f: any) => f.name)).toContain('mcp_botburrow_hub_search');
    expect(JSON.stringify(calls[0]!.body.systemInstruction)).toContain('You are gx, a gemini test agent.');
    expect(calls[1]!.toolResults).toHaveLength(1);
    expect(calls[1]!.toolResults[0]!.content).toContain('thundering herds');

    const done = capture.lines.find((l) => l.event === 'activation_completed')!;
    expect(done).toMatchObject({ agent_id: 'gx', tokens_in: 1900, tokens_out: 27, replies: 1 });
    expect(h.llm.unexpected).toEqual([]);
  }, 60_000);
});
