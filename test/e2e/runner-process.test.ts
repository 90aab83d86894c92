// The runner and coordinator as real processes (`botburrow-agents runner|coordinator`): each serves `/metrics`,
// `/healthz` and `/readyz` on METRICS_PORT while it runs; a runner process drains on SIGTERM, letting an activation
// that ends within RUNNER_DRAIN_TIMEOUT_MS finish and handing the work of one that does not back to its queue,
// then exits 0. Dev Hub, fake LLM and a private redis-server; the work is enqueued directly.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChildService } from '../../src/testing/child-service.js';
import { text } from '../../src/testing/fake-llm-server.js';
import { freePort, startRedisServer, type RedisServerHandle } from '../../src/testing/redis-server.js';
import { RuntimeHarness } from '../../src/testing/runtime-harness.js';
import { waitFor } from '../../src/testing/wait-for.js';

let redis: RedisServerHandle;
let h: RuntimeHarness;
const children: ChildService[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  h = await RuntimeHarness.start(redis.url, (llm) => [{ name: 'helper', apiBase: llm.url }]);
});
afterEach(async () => {
  for (const c of children.splice(0)) {
    await c.stop();
    // every key once per line: JSON.parse, jq and Loki would keep only the last of a repeated key
    expect(c.duplicateKeyLines).toEqual([]);
  }
});
afterAll(async () => {
  await h?.close();
  await redis?.stop();
});

function service(args: string[], env: NodeJS.ProcessEnv): ChildService {
  const child = new ChildService(args, { ...h.env, LOG_LEVEL: 'INFO', LEASE_SECONDS: '2', ...env });
  children.push(child);
  return child;
}

async function mentionAndQueue(content: string) {
  const post = await h.mention(content);
  await h.store.enqueue({ agent_id: 'helper', task_type: 'INBOX', inbox_count: 1, has_mention: true });
  return post;
}

/** Index of the first line with `event` (-1 if none). */
const indexOf = (c: ChildService, event: string): number => c.events().indexOf(event);

describe('METRICS_PORT of a running process', { timeout: 120_000 }, () => {
  it('a runner process serves /metrics, /healthz and /readyz on METRICS_PORT', async () => {
    const port = await freePort();
    const runner = service(['runner'], { METRICS_PORT: String(port) });
    await runner.waitForEvent('runner_started');
    const base = `http://127.0.0.1:${port}`;
    const metrics = await waitFor(async () => {
      const res = await fetch(`${base}/metrics`);
      return res.ok ? res.text() : undefined;
    });
    for (const name of [
      'botburrow_activation_total',
      'botburrow_active_tasks',
      'botburrow_notifications_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
    ])
      expect(metrics, name).toContain(name);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    runner.kill('SIGTERM');
    expect(await runner.exited).toBe(0);
  });

  it('a coordinator process serves /metrics on METRICS_PORT, with its leader gauge', async () => {
    const port = await freePort();
    // No definitions: it schedules nothing, so no work is left for the runner tests below.
    const coordinator = service(['coordinator'], {
      METRICS_PORT: String(port),
      AGENT_DEFINITIONS_PATH: '/nonexistent',
    });
    await coordinator.waitForEvent('became_leader');
    const metrics = await waitFor(async () => {
      const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return body.includes('botburrow_coordinator_is_leader 1') ? body : undefined;
    });
    expect(metrics).toContain('botburrow_work_queue_depth');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    coordinator.kill('SIGTERM');
    expect(await coordinator.exited).toBe(0);
  });
});

describe('runner process: SIGTERM drains', { timeout: 120_000 }, () => {
  it('an activation that ends within RUNNER_DRAIN_TIMEOUT_MS completes; then the process exits 0', async () => {
    h.llm.script([text('Finished while draining.', { latencyMs: 2_000 })]);
    const runner = service(['runner'], { RUNNER_DRAIN_TIMEOUT_MS: '60000' });
    await runner.waitForEvent('runner_started');
    const before = h.llm.requests.length;
    const post = await mentionAndQueue('@helper one more answer before you go?');
    await h.llm.waitForRequests(before + 1, 30_000);
    runner.kill('SIGTERM');
    await waitFor(() => !runner.alive, { timeoutMs: 60_000, message: 'the runner did not exit after draining' });
    expect(await runner.exited).toBe(0);
    expect(indexOf(runner, 'runner_draining')).toBeGreaterThanOrEqual(0);
    expect(indexOf(runner, 'activation_completed')).toBeGreaterThan(indexOf(runner, 'runner_draining'));
    expect(runner.events()).not.toContain('activation_released');
    expect((await h.repliesBy(post.id, 'helper')).map((c) => c.content)).toEqual(['Finished while draining.']);
    expect(await h.store.listInFlight()).toEqual([]);
    expect(await h.store.queueDepths()).toEqual({ high: 0, normal: 0, low: 0 });
    expect(await h.store.listRunners()).toEqual([]);
  });

  it('an activation still running at RUNNER_DRAIN_TIMEOUT_MS is aborted and its work handed back', async () => {
    h.llm.script([text('never in time', { latencyMs: 120_000 })]);
    const runner = service(['runner'], { RUNNER_DRAIN_TIMEOUT_MS: '500' });
    await runner.waitForEvent('runner_started');
    const before = h.llm.requests.length;
    const post = await mentionAndQueue('@helper this will take a while');
    await h.llm.waitForRequests(before + 1, 30_000);
    runner.kill('SIGTERM');
    // Well before the model's 120 s: the drain timeout, not the activation, ends the process.
    await waitFor(() => !runner.alive, { timeoutMs: 30_000, message: 'the runner did not exit after its drain' });
    expect(await runner.exited).toBe(0);
    expect(indexOf(runner, 'activation_released')).toBeGreaterThan(indexOf(runner, 'runner_draining'));
    expect(runner.events()).not.toContain('activation_completed');
    expect(await h.store.listInFlight()).toEqual([]);
    expect((await h.store.listQueue('high')).map((i) => [i.agent_id, i.attempt])).toEqual([['helper', 1]]);
    expect(await h.store.getBackoff('helper')).toBeNull();
    expect(await h.repliesBy(post.id, 'helper')).toEqual([]);
    expect(await h.human.listNotifications({ agentId: 'helper', unreadOnly: true })).toHaveLength(1);
  });
});
