// The warm MCP pool (issue 22): claimed → first model request for a native agent with one stdio MCP server (the
// catalog `filesystem` server, @modelcontextprotocol/server-filesystem in the bubblewrap sandbox), cold (MCP_POOL_MAX=0:
// spawn + initialize + tools/list in every activation) vs warm (the pooled server reused after a health-check ping).
// The same agent without an MCP server is the baseline. In-process runner, dev Hub, fake LLM (zero latency), private redis-server; one activation at a time.
// Run: npx tsx bench/mcp-pool.ts [rounds=20]
import { Registry } from 'prom-client';
import { silentLogger } from '../src/observability/logger.js';
import { McpServerPool } from '../src/mcp/mcp-pool.js';
import { createSandbox } from '../src/sandbox/create-sandbox.js';
import { text } from '../src/testing/fake-llm-server.js';
import { startRedisServer } from '../src/testing/redis-server.js';
import { RuntimeHarness } from '../src/testing/runtime-harness.js';
import { waitFor } from '../src/testing/wait-for.js';
import { percentile, recordResult } from './record.js';

const ROUNDS = Number(process.argv[2] ?? 20);
const redis = await startRedisServer();

/**
 * `ROUNDS` activations, one per agent (identical definitions: the same pool key, so the warm run reuses one server;
 * one work item per agent, so no enqueue merges into a running one); claimed → first model request of each (the
 * first one of the warm run is a miss).
 */
async function measure(poolMax: number, withServer = true, rounds = ROUNDS) {
  const agents = Array.from({ length: rounds }, (_, i) => `toolsmith-${i}`);
  const h = await RuntimeHarness.start(redis.url, (llm) =>
    agents.map((name) => ({
      name,
      apiBase: llm.url,
      grants: ['hub:read', 'hub:write', 'filesystem:read'],
      mcpServers: withServer ? ['filesystem'] : [],
    })),
  );
  const sandbox = await createSandbox({ kind: 'bwrap', env: process.env, logger: silentLogger });
  const pool = new McpServerPool({
    sandbox,
    max: poolMax,
    idleMs: 300_000,
    logger: silentLogger,
    registry: new Registry(),
  });
  try {
    const { capture } = await h.startRunner({}, h.env, { sandbox, pool, startupTimeoutMs: 30_000 });
    const figures: number[] = [];
    for (const [i, agent] of agents.entries()) {
      h.llm.script([text(`reply ${i}`)]);
      const post = await h.mention(`@${agent} round ${i}`);
      await h.store.enqueue({ agent_id: agent, task_type: 'INBOX', inbox_count: 1, has_mention: true });
      await h.llm.waitForRequests(i + 1, 60_000);
      const modelAt = Date.now();
      const claim = capture.lines.find((l) => l.event === 'activation_started' && l.agent_id === agent);
      figures.push(modelAt - Date.parse(String(claim?.time)));
      await waitFor(async () => (await h.repliesBy(post.id, agent)).length === 1, { timeoutMs: 60_000 });
      await waitFor(() => capture.lines.some((l) => l.event === 'activation_completed' && l.agent_id === agent), {
        timeoutMs: 60_000,
      });
    }
    const spawns = capture.lines.filter((l) => l.event === 'mcp_server_started' && l.pool !== 'hit').length;
    return { figures, spawns };
  } finally {
    await h.close();
    await pool.drain();
  }
}

const summary = (v: number[]) => ({ p50_ms: percentile(v, 50), p95_ms: percentile(v, 95), max_ms: Math.max(...v) });
try {
  // The first run also warms up the process (JIT, module loading): a throw-away round of the baseline first.
  await measure(16, false, 3);
  const cold = await measure(0);
  const warm = await measure(16);
  const baseline = await measure(16, false);
  const figures = {
    rounds: ROUNDS,
    no_mcp_server: { ...summary(baseline.figures), spawns: 0 },
    cold: { ...summary(cold.figures), spawns: cold.spawns },
    warm: { ...summary(warm.figures.slice(1)), spawns: warm.spawns, first_activation_ms: warm.figures[0] },
  };
  const line = (name: string, s: { p50_ms: number; p95_ms: number; max_ms: number; spawns: number }) =>
    console.log(
      `${name}: p50 ${s.p50_ms} ms | p95 ${s.p95_ms} ms | max ${s.max_ms} ms | ${s.spawns} server spawns in ${ROUNDS} activations`,
    );
  console.log('claimed → first model request, agent with the filesystem MCP server (stdio, bwrap):');
  line('no MCP server (baseline)', figures.no_mcp_server);
  line('cold (MCP_POOL_MAX=0)', figures.cold);
  line('warm (pooled, after the first)', figures.warm);
  recordResult('mcp_pool', figures);
} finally {
  await redis.stop();
}
