// The runner metrics the dashboard and alerts in k8s/apexalgo-iad/monitoring/ read, moved by a real in-process runner
// (private redis-server, dev Hub over loopback, fake LLM): botburrow_runner_slots, botburrow_claim_wait_seconds per
// queue, botburrow_dependency_errors_total for an LLM error (401) and an unreachable Hub.
import type { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { error, text, toolCall } from '../testing/fake-llm-server.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';
import { RuntimeHarness } from '../testing/runtime-harness.js';
import { waitFor } from '../testing/wait-for.js';

let redis: RedisServerHandle;
let h: RuntimeHarness;

beforeAll(async () => {
  redis = await startRedisServer();
  h = await RuntimeHarness.start(redis.url, (llm) => [
    { name: 'helper', apiBase: llm.url },
    { name: 'lonely', apiBase: llm.url },
  ]);
});
afterAll(async () => {
  await h?.close();
  await redis?.stop();
});

async function sample(registry: Registry, series: string): Promise<number> {
  const escaped = series.replace(/[{}"+]/g, (c) => `\\${c}`);
  const m = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(await registry.metrics());
  return m ? Number(m[1]) : 0;
}

describe('runner metrics', () => {
  it('exports its slots, observes the claim wait per queue, tokens and cost per agent (of failed activations too), and counts LLM errors', async () => {
    const { registry, runner, capture } = await h.startRunner({ maxConcurrentActivations: 2 });
    expect(await sample(registry, 'botburrow_runner_slots')).toBe(2);
    expect(await sample(registry, 'botburrow_dependency_errors_total{dependency="llm"}')).toBe(0);

    h.llm.script([text('An answer.', { usage: { input: 1_000_000, output: 0 }, model: 'claude-sonnet-4-5' })]);
    await h.mention('@helper hello');
    await h.store.enqueue({ agent_id: 'helper', task_type: 'INBOX', inbox_count: 1, has_mention: true });
    await waitFor(() => capture.events().includes('activation_completed'));
    expect(await sample(registry, 'botburrow_claim_wait_seconds_count{queue="high"}')).toBe(1);
    // A million input tokens of a claude-sonnet-4-5 model: 3 USD, counted per agent.
    const text$ = await registry.metrics();
    expect(text$).toMatch(/botburrow_cost_usd_total\{agent_id="helper",model="claude-sonnet-4-5[^"]*"\} 3\n/);
    expect(text$).toMatch(/botburrow_tokens_used\{agent_id="helper",[^}]*direction="input"\} 1000000\n/);
    expect(await sample(registry, 'botburrow_claim_wait_seconds_count{queue="low"}')).toBe(0);
    // The wait is in seconds: an item claimed at once is far below a minute.
    expect(await sample(registry, 'botburrow_claim_wait_seconds_bucket{le="60",queue="high"}')).toBe(1);

    // A tool call that spends tokens, then an LLM error that fails the activation: the spent tokens still count.
    h.llm.script([
      toolCall('hub_search', { query: 'anything' }, { usage: { input: 700, output: 20 }, model: 'claude-sonnet-4-5' }),
      error(401),
    ]);
    await h.mention('@lonely hello');
    await h.store.enqueue({ agent_id: 'lonely', task_type: 'INBOX', inbox_count: 1, has_mention: true });
    await waitFor(() => capture.events().includes('activation_failed'));
    expect(await sample(registry, 'botburrow_dependency_errors_total{dependency="llm"}')).toBe(1);
    expect(await sample(registry, 'botburrow_dependency_errors_total{dependency="hub"}')).toBe(0);
    expect(await registry.metrics()).toMatch(/botburrow_tokens_used\{agent_id="lonely",[^}]*direction="input"\} 700\n/);
    await runner.stop(500);
  });

  it('counts an unreachable Hub as a hub error', async () => {
    const refused: typeof fetch = () => Promise.reject(new TypeError('fetch failed: ECONNREFUSED'));
    const { registry, runner } = await h.startRunner({}, h.env, undefined, { hubFetch: refused });
    await h.store.clearBackoff();
    await h.store.enqueue({ agent_id: 'helper', task_type: 'DISCOVERY' });
    await waitFor(async () => (await sample(registry, 'botburrow_dependency_errors_total{dependency="hub"}')) >= 1, {
      timeoutMs: 15_000,
    });
    await runner.stop(500);
  });
});
