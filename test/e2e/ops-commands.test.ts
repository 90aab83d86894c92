// Operator commands as real CLI processes against a real Redis, a coordinator child process, an in-process runner and
// the dev Hub: `status` (leader, runners, queues, Hub), `queue ls`, `dead ls|requeue` (a dead letter made by the
// coordinator's reaper; without an ID, all of them), `backoff ls|clear` (cleared agents are schedulable again),
// `activation ls|stop` (the runner aborts the stopped activation). The fake LLM holds every call open so the single
// runner stays busy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildService } from '../../src/testing/child-service.js';
import { startRedisServer, type RedisServerHandle } from '../../src/testing/redis-server.js';
import { runCli } from '../../src/testing/run-cli.js';
import { RuntimeHarness } from '../../src/testing/runtime-harness.js';
import { text } from '../../src/testing/fake-llm-server.js';
import { waitFor } from '../../src/testing/wait-for.js';

let redis: RedisServerHandle;
let h: RuntimeHarness;
let coordinator: ChildService;
let runner: Awaited<ReturnType<RuntimeHarness['startRunner']>>;
let release: () => void = () => undefined;
const gate = new Promise<void>((resolve) => (release = resolve));

beforeAll(async () => {
  redis = await startRedisServer();
  h = await RuntimeHarness.start(redis.url, (llm) => [{ name: 'helper', apiBase: llm.url }]);
  h.llm.respondWith(async () => {
    await gate;
    return text('done');
  });
  coordinator = new ChildService(['coordinator'], {
    ...h.env,
    MAX_DELIVERY_ATTEMPTS: '1',
    LOG_LEVEL: 'INFO',
    LEASE_SECONDS: '2', // like the harness runner; also keeps the fresh-data-set wait short (2/3 s + 2 s)
  });
  await coordinator.waitForEvent('became_leader');
  runner = await h.startRunner({ maxConcurrentActivations: 1, activationTimeoutMs: 300_000 });
}, 120_000); // a child process started with tsx on a busy 2-core machine can take a while

afterAll(async () => {
  release();
  await coordinator?.stop();
  await h?.close();
  await redis?.stop();
});

const cli = (...args: string[]) => runCli(args, { env: h.env });
const json = async (...args: string[]): Promise<any> => {
  const r = await cli(...args, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

describe('operator commands', { timeout: 90_000 }, () => {
  it('status shows the leader, the live runner, the queues and the Hub', async () => {
    await waitFor(async () => (await h.store.listRunners()).length > 0);
    const s = await json('status');
    expect(s.leader.instance_id).toEqual(expect.any(String));
    expect(s.runners).toContainEqual(expect.objectContaining({ mode: 'hybrid', state: expect.any(String) }));
    expect(s.queues.map((q: any) => q.queue)).toEqual(['high', 'normal', 'low']);
    expect(s.hub).toMatchObject({ ok: true });
    const human = await cli('status');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Leader: \S+ \(epoch \d+/);
    expect(human.stdout).toContain('work:queue:high');
  });

  it('an activation runs (the runner is now busy)', async () => {
    await h.mention('@helper are you there?');
    await waitFor(async () => (await h.store.listActivations()).length > 0, { timeoutMs: 15_000 });
    const s = await json('status');
    expect(s.activations[0]).toMatchObject({
      agent_id: 'helper',
      task_type: expect.any(String),
      iteration: expect.any(Number),
    });
    expect(s.runners.find((r: any) => r.state === 'busy')).toBeDefined();
  });

  it('queue ls lists queued work in claim order, per queue', async () => {
    const r = await h.store.enqueue({ agent_id: 'ghost-a', task_type: 'DISCOVERY' });
    expect(r.status).toBe('enqueued');
    const low = await json('queue', 'ls', '--queue', 'low');
    expect(low).toContainEqual(
      expect.objectContaining({ queue: 'low', item: expect.objectContaining({ agent_id: 'ghost-a' }) }),
    );
    // Only the high queue: ghost-a's DISCOVERY is not there (helper's own INBOX item may be, queued again by a resync).
    const high = await json('queue', 'ls', '--queue', 'high');
    expect(high.every((row: any) => row.queue === 'high' && row.item.agent_id !== 'ghost-a')).toBe(true);
    const human = await cli('queue', 'ls');
    // ghost-a may sit behind helper's own DISCOVERY item (queued by the staleness scan while helper is busy).
    expect(human.stdout).toMatch(/low\s+\d+\s+\S+\s+ghost-a\s+DISCOVERY/);
    const bad = await cli('queue', 'ls', '--queue', 'urgent');
    expect(bad.code).toBe(2);
  });

  it('dead ls shows what the reaper dead-lettered; dead requeue puts it back', async () => {
    const claim = await h.store.claim(['low'], { runnerId: 'ghost-runner', leaseMs: 200, blockMs: 1000 });
    expect(claim?.item.agent_id).toBe('ghost-a');
    await waitFor(async () => (await h.store.listDead()).length === 1, { timeoutMs: 15_000 });
    const dead = await json('dead', 'ls');
    expect(dead[0]).toMatchObject({ item: { agent_id: 'ghost-a', id: claim!.item.id } });
    expect((await cli('dead', 'ls')).stdout).toContain(claim!.item.id);
    expect((await json('status')).dead_letters).toBe(1);
    const missing = await cli('dead', 'requeue', 'no-such-id');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('not_found');
    const ok = await cli('dead', 'requeue', claim!.item.id);
    expect(ok.stdout).toContain('requeued 1 dead letter');
    expect(await h.store.listDead()).toEqual([]);
    expect((await h.store.listQueue('low')).map((i) => i.agent_id)).toContain('ghost-a');
  });

  it('backoff ls / clear AGENT / clear: cleared agents are schedulable again', async () => {
    await h.store.recordFailure('ghost-b', 'boom: LLM said no');
    await h.store.recordFailure('ghost-c', 'executor missing');
    expect((await h.store.enqueue({ agent_id: 'ghost-b', task_type: 'DISCOVERY' })).status).toBe('in_backoff');
    const rows = await json('backoff', 'ls');
    // ghost-a is there too: the reaper backed it off when it dead-lettered its item.
    expect(rows.map((r: any) => r.agent_id)).toEqual(['ghost-a', 'ghost-b', 'ghost-c']);
    expect(rows[1]).toMatchObject({ failures: 1, last_error: 'boom: LLM said no', active: true });
    expect((await cli('backoff', 'ls')).stdout).toContain('boom: LLM said no');
    const one = await cli('backoff', 'clear', 'ghost-b');
    expect(one.stdout).toContain('cleared backoff of 1: ghost-b');
    expect((await h.store.enqueue({ agent_id: 'ghost-b', task_type: 'DISCOVERY' })).status).not.toBe('in_backoff');
    expect((await cli('backoff', 'clear', 'nobody')).code).toBe(1);
    const all = await cli('backoff', 'clear');
    expect(all.stdout).toContain('cleared backoff of 2: ghost-a, ghost-c');
    expect(await h.store.listBackoff()).toEqual({});
  });

  it('dead requeue without an ID puts every dead letter back in its queue with attempt 1', async () => {
    // Two INBOX items (normal queue: no mention) claimed by a runner that vanishes: the reaper dead-letters both.
    for (const agent of ['ghost-d', 'ghost-e']) {
      expect((await h.store.enqueue({ agent_id: agent, task_type: 'INBOX', inbox_count: 1 })).status).toBe('enqueued');
      const claim = await h.store.claim(['normal'], { runnerId: 'ghost-runner', leaseMs: 200, blockMs: 1000 });
      expect(claim?.item.agent_id).toBe(agent);
    }
    await waitFor(async () => (await h.store.listDead()).length === 2, { timeoutMs: 15_000 });
    const all = await cli('dead', 'requeue');
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain('requeued 2 dead letters');
    expect(await h.store.listDead()).toEqual([]);
    const queued = (await h.store.listQueue('normal')).filter((i) => i.agent_id.startsWith('ghost-'));
    expect(queued.map((i) => [i.agent_id, i.attempt]).sort()).toEqual([
      ['ghost-d', 1],
      ['ghost-e', 1],
    ]);
    expect((await cli('dead', 'requeue')).stdout).toContain('requeued 0 dead letters');
  });

  it('activation ls / stop: the runner aborts the stopped activation', async () => {
    const [activation] = await h.store.listActivations();
    const listed = await json('activation', 'ls');
    expect(listed.activations.map((a: any) => a.activation_id)).toContain(activation!.activation_id);
    expect((await cli('activation', 'ls')).stdout).toContain(activation!.activation_id);
    const stop = await cli('activation', 'stop', activation!.activation_id);
    expect(stop.code, stop.stderr).toBe(0);
    await waitFor(() => runner.capture.lines.some((e: any) => e.event === 'activation_stopped'), { timeoutMs: 10_000 });
    const again = await cli('activation', 'stop', activation!.activation_id);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('not_found');
  });

  it('a Redis that is down is named with VALKEY_URL', async () => {
    const r = await runCli(['status'], { env: { ...h.env, VALKEY_URL: 'redis://127.0.0.1:1' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('redis_unreachable: Error connecting to Redis at redis://127.0.0.1:1');
    expect(r.stderr).toContain('VALKEY_URL');
  });
});
