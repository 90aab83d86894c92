// The runner's budget cache (BUDGET_CACHE_SECONDS) end to end: an agent activated twice within the TTL asks the Hub's
// budget-health once, and twice with ttl 0; a budget exhausted on the Hub after a cached healthy answer parks the agent
// once the TTL is over; the cost the runner reported reaching the agent's limit makes it ask again within the TTL.
// In-process runner, dev Hub, fake LLM, private redis-server; the cache's clock is moved by hand.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BudgetCache } from '../activation/budget-cache.js';
import { ManualClock } from '../shared/clock.js';
import { promptAgent, text } from '../testing/fake-llm-server.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';
import { activationOutcomes, RuntimeHarness } from '../testing/runtime-harness.js';

let redis: RedisServerHandle;
let h: RuntimeHarness;
type TestRunner = Awaited<ReturnType<RuntimeHarness['startRunner']>>;

/** The agent id of every `GET /system/budget-health` the runners sent. */
const budgetReads: string[] = [];
const hubFetch: typeof fetch = (input, init) => {
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  if (url.pathname.endsWith('/system/budget-health')) budgetReads.push(url.searchParams.get('agent_id') ?? '');
  return fetch(input, init);
};
const readsOf = (agent: string): number => budgetReads.filter((a) => a === agent).length;

const TTL_MS = 10_000;

beforeAll(async () => {
  redis = await startRedisServer();
  h = await RuntimeHarness.start(redis.url, (llm) =>
    ['twice', 'nocache', 'exhausted', 'spender'].map((name) => ({ name, apiBase: llm.url })),
  );
  // claude-sonnet-4-6 at $3 per million input tokens: the spender's answer costs $0.003.
  h.llm.respondWith((req) =>
    promptAgent(req) === 'spender' ? text('A costly answer.', { usage: { input: 1_000, output: 0 } }) : text('Hi.'),
  );
});
afterAll(async () => {
  await h?.close();
  await redis?.stop();
});

/** One runner per test, stopped after it (also when it failed), so the next test's runner claims alone. */
let current: TestRunner | undefined;
afterEach(async () => {
  await current?.runner.stop(5_000);
  current = undefined;
});

async function startRunner(budgetCache: BudgetCache): Promise<TestRunner> {
  current = await h.startRunner({}, h.env, undefined, { hubFetch, budgetCache });
  return current;
}

/** Mention the agent, queue its inbox and wait until the activation ended; returns its notification outcomes. */
async function activate(runner: TestRunner, agent: string): Promise<unknown[]> {
  const seen = runner.capture.lines.length;
  await h.mention(`@${agent} a question (${seen})`);
  await h.store.enqueue({ agent_id: agent, task_type: 'INBOX', inbox_count: 1, has_mention: true });
  return (await activationOutcomes(runner.capture.lines, seen, agent)).map((l) => l.outcome);
}

describe('budget cache of a runner', { timeout: 60_000 }, () => {
  it('asks budget-health once for an agent activated twice within the TTL', async () => {
    const runner = await startRunner(new BudgetCache({ ttlMs: TTL_MS, clock: new ManualClock() }));
    expect(await activate(runner, 'twice')).toEqual(['replied']);
    expect(await activate(runner, 'twice')).toEqual(['replied']);
    expect(readsOf('twice')).toBe(1);
  });

  it('asks before every activation with BUDGET_CACHE_SECONDS=0', async () => {
    const runner = await startRunner(new BudgetCache({ ttlMs: 0, clock: new ManualClock() }));
    expect(await activate(runner, 'nocache')).toEqual(['replied']);
    expect(await activate(runner, 'nocache')).toEqual(['replied']);
    expect(readsOf('nocache')).toBe(2);
  });

  it('sees a budget exhausted on the Hub once the cached healthy answer is older than the TTL', async () => {
    const clock = new ManualClock();
    const runner = await startRunner(new BudgetCache({ ttlMs: TTL_MS, clock }));
    expect(await activate(runner, 'exhausted')).toEqual(['replied']);
    h.hub.context.system.setBudget('exhausted', 0.001, 0);
    h.hub.context.system.recordConsumption({
      agentId: 'exhausted',
      tokensInput: 1,
      tokensOutput: 1,
      costUsd: 1,
      metadata: {},
    });
    // Within the TTL the cached answer stands (the trade-off BUDGET_CACHE_SECONDS documents).
    clock.advance(TTL_MS - 1);
    expect(await activate(runner, 'exhausted')).toEqual(['replied']);
    expect(readsOf('exhausted')).toBe(1);
    clock.advance(1);
    expect(await activate(runner, 'exhausted')).toEqual(['deferred_budget']);
    expect(readsOf('exhausted')).toBe(2);
    expect(await h.store.getBackoff('exhausted')).toMatchObject({
      failures: 0,
      last_error: 'budget exhausted (Hub budget-health)',
    });
  });

  it('asks again within the TTL once the cost the runner reported reaches the limit', async () => {
    h.hub.context.system.setBudget('spender', 0.002, 0);
    const runner = await startRunner(new BudgetCache({ ttlMs: TTL_MS, clock: new ManualClock() }));
    expect(await activate(runner, 'spender')).toEqual(['replied']);
    expect(await activate(runner, 'spender')).toEqual(['deferred_budget']);
    expect(readsOf('spender')).toBe(2);
  });
});
