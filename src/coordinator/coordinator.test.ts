// Covers the coordinator with a real Redis (private redis-server), the dev Hub over loopback and two replicas: only the
// leader polls; leadership moves on stop; a failed renewal stops leader work (lost_leadership); mentions become INBOX
// work on work:queue:high (checked with a plain Redis client, as an operator would); dedupe; backoff honoured and DEL
// work:backoff; stale agents go to the low queue, bounded; undefined agents are skipped with agent_not_defined; Hub
// 500s are survived; /metrics names.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileAgentDefinitions } from '../agents/agent-definitions.js';
import { createDevHub, type DevHub } from '../devhub/create-dev-hub.js';
import { createOpsApp } from '../http/ops-app.js';
import { HttpHubClient } from '../hub/http-hub-client.js';
import { createMetricsRegistry } from '../observability/metrics.js';
import { systemClock } from '../shared/clock.js';
import { RedisStore } from '../store/redis/redis-store.js';
import type { Store } from '../store/store.js';
import { writeAgentDefinitions } from '../testing/agent-fixtures.js';
import { captureLogger } from '../testing/capture-logger.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';
import { waitFor } from '../testing/wait-for.js';
import { Coordinator } from './coordinator.js';
import { COORDINATOR_DEFAULTS, type CoordinatorOptions } from './coordinator-options.js';

let redis: RedisServerHandle;
let hub: DevHub;
let defsRoot: string;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  defsRoot = writeAgentDefinitions([
    { name: 'alpha' },
    { name: 'beta' },
    { name: 'gamma' },
    { name: 'delta', discovery: false },
  ]);
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ plain: Redis; human: HttpHubClient }> {
  hub = await createDevHub({ port: 0, seedAgentsDir: defsRoot, serviceKey: 'svc-test-key-123456' });
  cleanups.push(() => hub.close());
  hub.registerAgent({ name: 'ghost' });
  const plain = new Redis(redis.url);
  await plain.flushall();
  cleanups.push(async () => plain.quit());
  return { plain, human: new HttpHubClient({ baseUrl: hub.url, apiKey: 'svc-test-key-123456' }) };
}

async function startCoordinator(name: string, overrides: Partial<CoordinatorOptions> = {}, fetchImpl?: typeof fetch) {
  const store: Store = await RedisStore.create({ url: redis.url, leaderLeaseSeconds: 2 });
  const capture = captureLogger();
  let hubRequests = 0;
  const countingFetch: typeof fetch = (input, init) => {
    hubRequests++;
    return (fetchImpl ?? fetch)(input, init);
  };
  const hubClient = new HttpHubClient({
    baseUrl: hub.url,
    apiKey: 'svc-test-key-123456',
    fetch: countingFetch,
    retry: { attempts: 1, baseMs: 10, maxMs: 20 },
  });
  const registry = createMetricsRegistry();
  const coordinator = new Coordinator(
    {
      store,
      hub: hubClient,
      definitions: new FileAgentDefinitions({ root: defsRoot }),
      logger: capture.logger,
      registry,
      clock: systemClock,
    },
    {
      ...COORDINATOR_DEFAULTS,
      instanceId: name,
      pollIntervalMs: 60_000,
      inboxResyncMs: 60_000,
      minStalenessSeconds: 3600,
      minActivationIntervalSeconds: 0,
      maxDiscoveryQueue: 0,
      leaderLeaseMs: 1_500,
      pollTimeoutSeconds: 5,
      reapIntervalMs: 500,
      statusIntervalMs: 60_000,
      hubBackoffMaxMs: 200,
      ...overrides,
    },
    hub.url,
  );
  coordinator.start();
  cleanups.push(async () => {
    await coordinator.stop();
    await store.close();
  });
  return { coordinator, capture, store, registry, requests: () => hubRequests };
}

describe('coordinator', () => {
  it('elects one leader; only the leader polls the Hub; stop hands leadership over promptly', async () => {
    await setup();
    const a = await startCoordinator('coord-a');
    const b = await startCoordinator('coord-b');
    const leader = await waitFor(() => (a.coordinator.isLeader ? a : b.coordinator.isLeader ? b : undefined));
    const follower = leader === a ? b : a;
    await waitFor(() => leader.requests() > 0);
    expect(follower.requests()).toBe(0);
    expect(follower.coordinator.isLeader).toBe(false);
    expect(leader.capture.events()).toContain('became_leader');
    expect(leader.capture.lines.find((l) => l.event === 'became_leader')).toMatchObject({ is_leader: true });
    await leader.coordinator.stop();
    // Released at once, not left to expire: the lease key is free (or already the follower's) after stop().
    const holder = await leader.store.currentLeader();
    expect(holder === null || holder.instanceId === (follower === a ? 'coord-a' : 'coord-b')).toBe(true);
    await waitFor(() => follower.coordinator.isLeader, { timeoutMs: 10_000 });
    await waitFor(() => follower.requests() > 0);
  });

  it('a failed renewal stops leader work at once (lost_leadership) and schedules nothing until re-elected', async () => {
    const { plain, human } = await setup();
    const c = await startCoordinator('coord-a', { pollTimeoutSeconds: 30, statusIntervalMs: 100 });
    await waitFor(() => c.coordinator.isLeader);
    // The leader's long-poll is held by the Hub.
    await waitFor(() => hub.events.listenerCount('notification') === 1, { message: 'no long-poll held' });
    // Another instance now holds the key (e.g. this one stalled past its lease): the next renewal fails.
    await plain.set('coordinator:leader', '999999:thief', 'PX', 60_000);
    const lost = await waitFor(() => c.capture.lines.find((l) => l.event === 'lost_leadership'));
    expect(lost).toMatchObject({ is_leader: false, reason: 'renewal_failed' });
    expect(c.coordinator.isLeader).toBe(false);
    // At once: the held long-poll was abandoned (its 30 s timeout is far off), and nothing is scheduled.
    await waitFor(() => hub.events.listenerCount('notification') === 0, { message: 'the long-poll is still held' });
    await human.createPost({ agentId: 'human', content: '@alpha anyone leading?' });
    const statusAfter = () =>
      c.capture.lines.slice(c.capture.lines.indexOf(lost)).filter((l) => l.event === 'coordinator_status').length;
    await waitFor(() => statusAfter() >= 5, { message: 'no status lines after losing leadership' });
    expect(await plain.llen('work:queue:high')).toBe(0);
    // Once the key is free again it is re-elected, and only then schedules the mention.
    await plain.del('coordinator:leader');
    await waitFor(async () => (await plain.llen('work:queue:high')) === 1, { timeoutMs: 10_000 });
    await waitFor(() => c.capture.events().includes('work_enqueued'));
    const events = c.capture.events();
    expect(events.filter((e) => e === 'became_leader')).toHaveLength(2);
    expect(events.indexOf('work_enqueued')).toBeGreaterThan(events.lastIndexOf('became_leader'));
  });

  it('on a fresh data set (Redis lost its data) the new leader waits a runner heartbeat before scheduling', async () => {
    const { plain, human } = await setup(); // FLUSHALL: a fresh data set
    await human.createPost({ agentId: 'human', content: '@alpha are you there?' });
    const c = await startCoordinator('coord-a', { freshStoreWaitMs: 1_500 });
    await waitFor(() => c.capture.events().includes('fresh_store_wait'));
    expect(await plain.llen('work:queue:high')).toBe(0);
    await waitFor(async () => (await plain.llen('work:queue:high')) === 1, { timeoutMs: 10_000 });
    // The item can be in Redis a moment before the coordinator's enqueue call returns and logs it.
    await waitFor(() => c.capture.events().includes('work_enqueued'));
    const events = c.capture.events();
    expect(events.indexOf('fresh_store_wait')).toBeLessThan(events.indexOf('work_enqueued'));
    // A data set older than the wait (here: the same one, a new leader later) is scheduled at once.
    await c.coordinator.stop();
    const d = await startCoordinator('coord-d', { freshStoreWaitMs: 1_500 });
    await waitFor(() => d.coordinator.isLeader);
    await waitFor(() => d.requests() > 0);
    expect(d.capture.events()).not.toContain('fresh_store_wait');
  });

  it('turns a mention into one INBOX item on work:queue:high, merges a second one, skips undefined agents', async () => {
    const { plain, human } = await setup();
    const c = await startCoordinator('coord-a');
    await waitFor(() => c.coordinator.isLeader);
    await human.createPost({ agentId: 'human', content: '@alpha what is a circuit breaker?' });
    await waitFor(async () => (await plain.llen('work:queue:high')) === 1);
    const [raw] = await plain.lrange('work:queue:high', 0, -1);
    expect(JSON.parse(raw!)).toMatchObject({ agent_id: 'alpha', task_type: 'INBOX', priority: 'high', attempt: 1 });
    // The queue entry is the item's identity; its current counts are in work:queued.
    expect(JSON.parse((await plain.hget('work:queued', 'alpha|INBOX'))!)).toMatchObject({ inbox_count: 1 });
    await human.createPost({ agentId: 'human', content: '@alpha and a retry budget?' });
    await human.createPost({ agentId: 'human', content: '@ghost are you there?' });
    await waitFor(() => c.capture.events().includes('agent_not_defined'));
    await waitFor(async () => JSON.parse((await plain.hget('work:queued', 'alpha|INBOX'))!).inbox_count === 2);
    expect(await plain.llen('work:queue:high')).toBe(1);
    expect(await plain.llen('work:queue:normal')).toBe(0);
    expect(c.capture.lines.find((l) => l.event === 'agent_not_defined')).toMatchObject({ agent_id: 'ghost' });
  });

  it('does not queue an agent in work:backoff until the entry is deleted', async () => {
    const { plain, human } = await setup();
    await plain.hset(
      'work:backoff',
      'beta',
      JSON.stringify({ until: Date.now() + 3_600_000, failures: 3, last_error: 'boom' }),
    );
    const c = await startCoordinator('coord-a', { inboxResyncMs: 300, pollTimeoutSeconds: 1 });
    await waitFor(() => c.coordinator.isLeader);
    await human.createPost({ agentId: 'human', content: '@beta hello' });
    await waitFor(() => c.capture.events().includes('agent_in_backoff'));
    expect(await plain.llen('work:queue:high')).toBe(0);
    await plain.del('work:backoff');
    await waitFor(async () => (await plain.llen('work:queue:high')) === 1, { timeoutMs: 5_000 });
  });

  it('queues stale agents on work:queue:low, bounded by the cap, skipping discovery-disabled agents', async () => {
    const { plain } = await setup();
    const c = await startCoordinator('coord-a', { maxDiscoveryQueue: 2, minStalenessSeconds: 0 });
    await waitFor(async () => (await plain.llen('work:queue:low')) === 2);
    const items = (await plain.lrange('work:queue:low', 0, -1)).map((s) => JSON.parse(s));
    expect(items.every((i) => i.task_type === 'DISCOVERY' && i.priority === 'low')).toBe(true);
    expect(items.map((i) => i.agent_id)).not.toContain('delta');
    expect(items.map((i) => i.agent_id)).not.toContain('human');
    expect(c.capture.lines.filter((l) => l.event === 'work_enqueued' && l.task_type === 'DISCOVERY')).toHaveLength(2);
  });

  it('MIN_ACTIVATION_INTERVAL: an agent activated more recently is not queued for discovery', async () => {
    const { plain, human } = await setup();
    await human.markActivated('alpha');
    const staleScans: string[] = [];
    const recording: typeof fetch = (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.includes('stale=true')) staleScans.push(url);
      return fetch(input, init);
    };
    const c = await startCoordinator(
      'coord-a',
      { maxDiscoveryQueue: 10, minStalenessSeconds: 0, minActivationIntervalSeconds: 3600, pollIntervalMs: 100 },
      recording,
    );
    // A second scan has started, so the first one has queued everything it was going to.
    await waitFor(() => staleScans.length >= 2);
    // Never activated: beta and gamma (delta has discovery off, ghost no definition); alpha ran just now.
    const queued = (await plain.lrange('work:queue:low', 0, -1)).map((raw) => JSON.parse(raw).agent_id as string);
    expect(queued.sort()).toEqual(['beta', 'gamma']);
    expect(c.capture.lines.filter((l) => l.event === 'work_enqueued').map((l) => l.agent_id)).not.toContain('alpha');
  });

  it('survives a Hub answering 500 and recovers when it comes back', async () => {
    const { plain, human } = await setup();
    let failing = true;
    const flaky: typeof fetch = (input, init) =>
      failing ? Promise.resolve(new Response('{"error":"down"}', { status: 500 })) : fetch(input, init);
    const c = await startCoordinator('coord-a', {}, flaky);
    await waitFor(() => c.capture.lines.filter((l) => l.event === 'hub_unreachable').length >= 2);
    expect(c.capture.lines.find((l) => l.event === 'hub_unreachable')).toMatchObject({ url: hub.url });
    await human.createPost({ agentId: 'human', content: '@gamma ping' });
    failing = false;
    await waitFor(async () => (await plain.llen('work:queue:high')) === 1, { timeoutMs: 5_000 });
    const metrics = await c.registry.metrics();
    expect(metrics).toMatch(/botburrow_hub_poll_errors_total \d+/);
    expect(metrics).not.toMatch(/botburrow_hub_poll_errors_total 0\n/);
  });

  it('exposes the documented metrics, /healthz and /readyz', async () => {
    await setup();
    const c = await startCoordinator('coord-a');
    await waitFor(() => c.coordinator.isLeader);
    const app = createOpsApp({
      registry: c.registry,
      readiness: async () => ({ ok: true, details: { redis_latency_ms: await c.store.ping() } }),
    });
    const { body } = await app.request('/metrics');
    for (const name of [
      'botburrow_work_queue_depth{queue="high"}',
      'botburrow_coordinator_is_leader 1',
      'botburrow_work_enqueued_total',
      'botburrow_hub_poll_errors_total',
      'botburrow_reaped_total',
      'botburrow_agent_in_backoff',
      'process_cpu_user_seconds_total',
    ]) {
      expect(body).toContain(name.split('{')[0]!);
    }
    expect(body).toContain('botburrow_coordinator_is_leader 1');
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/readyz')).status).toBe(200);
  });
});
