// A real runner process (`botburrow-agents runner`) keeps an agent's stdio MCP server warm: the second activation's
// tool call reaches the same server process, /metrics counts one miss and one hit, and SIGTERM stops the pooled
// server (no process left). Dev Hub, fake LLM, private redis-server, bubblewrap sandbox.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../../src/mcp/fixtures/agent-definition-for.js';
import { ChildService } from '../../src/testing/child-service.js';
import { processesWithMarker } from '../../src/testing/fake-clis/process-scan.js';
import { text, toolCall } from '../../src/testing/fake-llm-server.js';
import { freePort, startRedisServer, type RedisServerHandle } from '../../src/testing/redis-server.js';
import { RuntimeHarness } from '../../src/testing/runtime-harness.js';
import { waitFor } from '../../src/testing/wait-for.js';

const MARKER = `bb-pool-e2e-${randomUUID()}`;
let redis: RedisServerHandle;
let h: RuntimeHarness;
const children: ChildService[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  h = await RuntimeHarness.start(redis.url, (llm) => [
    {
      name: 'pooler',
      apiBase: llm.url,
      grants: ['hub:read', 'hub:write', 'pool:use'],
      mcpServers: [{ name: 'pool', command: process.execPath, args: [fixturePath('pool-server.mjs'), MARKER] }],
    },
  ]);
});
afterEach(async () => {
  for (const c of children.splice(0)) await c.stop();
});
afterAll(async () => {
  await h?.close();
  await redis?.stop();
});

async function answered(round: number): Promise<string> {
  h.llm.script([toolCall('pool__whoami', {}), text(`done ${round}`)]);
  const before = h.llm.requests.length;
  const post = await h.mention(`@pooler round ${round}`);
  await h.store.enqueue({ agent_id: 'pooler', task_type: 'INBOX', inbox_count: 1, has_mention: true });
  await waitFor(async () => (await h.repliesBy(post.id, 'pooler')).length === 1, { timeoutMs: 60_000 });
  return h.llm.requests[before + 1]!.toolResults[0]!.content;
}

describe('warm MCP pool in a runner process', { timeout: 180_000 }, () => {
  it('reuses the server across activations, counts hits and misses, and stops it on SIGTERM', async () => {
    const port = await freePort();
    const runner = new ChildService(['runner'], {
      ...h.env,
      LOG_LEVEL: 'INFO',
      LEASE_SECONDS: '2',
      SANDBOX: 'bwrap',
      METRICS_PORT: String(port),
    });
    children.push(runner);
    await runner.waitForEvent('runner_started');
    const first = await answered(1);
    await waitFor(() => runner.events().includes('activation_completed'), { timeoutMs: 30_000 });
    const second = await answered(2);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).toBe(first);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/botburrow_mcp_pool_acquire_total\{result="miss"[^}]*\} 1/);
    expect(metrics).toMatch(/botburrow_mcp_pool_acquire_total\{result="hit"[^}]*\} 1/);
    expect(processesWithMarker(MARKER).length).toBeGreaterThan(0);
    runner.kill('SIGTERM');
    expect(await runner.exited).toBe(0);
    expect(processesWithMarker(MARKER)).toEqual([]);
  });
});
