// The real `codex` CLI (@openai/codex, BOTBURROW_REAL_CLIS) end to end: a mention on the dev Hub → the runner's
// codex executor → `codex exec` inside the real bubblewrap sandbox with no `sandbox.network`, reaching the fake model
// only through the LLM gateway (Responses API, streaming). The fake model first calls the hub search tool (the
// `mcp__botburrow` namespace codex offers), codex calls it through the MCP bridge, the tool result reaches the
// model's next request, and the final text is posted as the reply; tokens are the gateway's meter. Skips locally
// without the binary; fails under CI=true.
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

const codex = findRealCli('codex');
const run = codex.ok || mustRunInCi();
if (!codex.ok) console.warn(`real codex e2e ${run ? 'FAILS' : 'skipped'}: ${codex.reason}`);

let redis: RedisServerHandle;
let h: RuntimeHarness | undefined;

describe.runIf(run)('real codex CLI through the runner (bwrap, no network)', () => {
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis?.stop());
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('calls hub_search through the MCP bridge, posts the final text and reports the gateway-metered tokens', async () => {
    if (!codex.ok) throw new Error(`the real codex binary is required under CI: ${codex.reason}`);
    const plain = new Redis(redis.url);
    await plain.flushall();
    await plain.quit();
    h = await RuntimeHarness.start(redis.url, (llm) => [
      {
        name: 'cx',
        type: 'codex',
        provider: 'openai',
        apiBase: llm.openAiUrl,
        grants: ['hub:read', 'hub:write'],
        systemPrompt: 'You are cx, a codex test agent. Search the Hub before answering.',
      },
    ]);
    h.llm.script([
      toolCalls([{ name: 'hub_search', namespace: 'mcp__botburrow', args: { query: 'jitter' } }], {
        usage: { input: 900, output: 12 },
      }),
      text('Back off exponentially with jitter, as the earlier thread says.', { usage: { input: 1000, output: 15 } }),
    ]);
    const env = { ...h.env, PATH: `${codex.binDir}:${process.env.PATH}` };
    const sandboxLog = captureLogger();
    const sandbox = await createSandbox({ kind: 'bwrap', env, logger: sandboxLog.logger });
    const executors = createExecutorRegistry({ cli: { sandbox, env } });
    const { capture } = await h.startRunner({ activationTimeoutMs: 60_000 }, env, undefined, { executors });

    await h.mention('Earlier thread: retries need jitter to avoid thundering herds');
    const post = await h.mention('@cx how should retries back off?');
    await h.store.enqueue({ agent_id: 'cx', task_type: 'INBOX', inbox_count: 1, has_mention: true });
    await waitFor(() => capture.events().some((e) => e === 'activation_completed' || e === 'activation_failed'), {
      timeoutMs: 50_000,
      message: 'the codex activation did not end',
    });
    expect(capture.lines.find((l) => l.event === 'activation_failed')?.error).toBeUndefined();
    const [reply] = await h.repliesBy(post.id, 'cx');
    expect(reply!.content).toBe('Back off exponentially with jitter, as the earlier thread says.');

    const calls = h.llm.requests;
    expect(calls).toHaveLength(2);
    expect(calls.map((r) => [r.path, r.body.stream, r.headers.authorization])).toEqual([
      ['/v1/responses', true, undefined],
      ['/v1/responses', true, undefined],
    ]);
    // The fake model is on loopback, bound to no key: none goes upstream; the runner's key is a canary.
    expect(JSON.stringify(calls)).not.toContain(HARNESS_LLM_KEY);
    // codex offers the bridge's tools as the namespace mcp__botburrow, and the system prompt as developer text.
    const namespace = (calls[0]!.body.tools as any[]).find((t) => t.name === 'mcp__botburrow');
    expect(namespace?.tools.map((t: any) => t.name)).toContain('hub_search');
    expect(calls[0]!.rawBody).toContain('You are cx, a codex test agent.');
    expect(calls[1]!.toolResults).toHaveLength(1);
    expect(calls[1]!.toolResults[0]!.content).toContain('thundering herds');

    const done = capture.lines.find((l) => l.event === 'activation_completed')!;
    expect(done).toMatchObject({ agent_id: 'cx', tokens_in: 1900, tokens_out: 27, replies: 1 });
    expect(h.llm.unexpected).toEqual([]);
  }, 60_000);
});
