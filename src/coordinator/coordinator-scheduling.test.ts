// Covers the coordinator's scheduling guarantees with a real Redis (private redis-server) and the dev Hub over
// loopback: a deposed leader's writes are refused inside Redis (`not_leader`, nothing queued); an operator's
// `backoff clear` or `DEL work:backoff` is acted on without waiting for the next resync; an empty long-poll logs
// `poll_timeout`; discovery pages past 200 stale agents it cannot activate and still queues the activatable ones.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileAgentDefinitions } from '../agents/agent-definitions.js';
import { createDevHub, type DevHub } from '../devhub/create-dev-hub.js';
import { HttpHubClient } from '../hub/http-hub-client.js';
import { createMetricsRegistry } from '../observability/metrics.js';
import { systemClock } from '../shared/clock.js';
import { RedisStore } from '../store/redis/redis-store.js';
import { writeAgentDefinitions } from '../testing/agent-fixtures.js';
import { captureLogger } from '../testing/capture-logger.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';
import { waitFor } from '../testing/wait-for.js';
import { Coordinator } from './coordinator.js';
import { COORDINATOR_DEFAULTS, type CoordinatorOptions } from './coordinator-options.js';

const SERVICE_KEY = 'svc-test-key-123456';
const disabled = Array.from({ length: 50 }, (_, i) => `a0-off-${String(i).padStart(3, '0')}`);
const undefinedAgents = Array.from({ length: 150 }, (_, i) => `a0-ghost-${String(i).padStart(3, '0')}`);

let redis: RedisServerHandle;
let defsRoot: string;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  defsRoot = writeAgentDefinitions([
    { name: 'alpha' },
    { name: 'beta' },
    { name: 'gamma' },
    ...disabled.map((name) => ({ name, discovery: false })),
  ]);
});
afterAll(async () => redis.stop());
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ hub: DevHub; plain: Redis; human: HttpHubClient }> {
  const hub = await createDevHub({ port: 0, seedAgentsDir: defsRoot, serviceKey: SERVICE_KEY });
  cleanups.push(() => hub.close());
  const plain = new Redis(redis.url);
  await plain.flushall();
  cleanups.push(async () => plain.quit());
  return { hub, plain, human: new HttpHubClient({ baseUrl: hub.url, apiKey: SERVICE_KEY }) };
}

async function startCoordinator(hub: DevHub, overrides: Partial<CoordinatorOptions> = {}) {
  const store = await RedisStore.create({ url: redis.url });
  const capture = captureLogger();
  const coordinator = new Coordinator(
    {
      store,
      hub: new HttpHubClient({ baseUrl: hub.url, apiKey: SERVICE_KEY, retry: { attempts: 1, baseMs: 10, maxMs: 20 } }),
      definitions: new FileAgentDefinitions({ root: defsRoot }),
      logger: capture.logger,
      registry: createMetricsRegistry(),
      clock: systemClock,
    },
    {
      ...COORDINATOR_DEFAULTS,
      instanceId: 'coord-a',
      pollIntervalMs: 60_000,
      inboxResyncMs: 60_000,
      minStalenessSeconds: 3600,
      minActivationIntervalSeconds: 0,
      maxDiscoveryQueue: 0,
      leaderLeaseMs: 30_000,
      pollTimeoutSeconds: 1,
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
  await waitFor(() => coordinator.isLeader);
  return { coordinator, capture, store };
}

describe('coordinator scheduling', () => {
  it("refuses a deposed leader's enqueue inside Redis and logs not_leader, not redis_unavailable", async () => {
    const { hub, plain, human } = await setup();
    const c = await startCoordinator(hub);
    // Another instance takes the lease (as after a pause longer than the lease); renewals come every 10 s.
    await plain.set('coordinator:leader', '999:coord-b');
    await human.createPost({ agentId: 'human', content: '@alpha are you there?' });
    await waitFor(() => c.capture.events().includes('not_leader'), { timeoutMs: 10_000 });
    expect(c.capture.lines.find((l) => l.event === 'not_leader')).toMatchObject({ level: 'warn' });
    expect(c.capture.events()).not.toContain('redis_unavailable');
    expect(await plain.llen('work:queue:high')).toBe(0);
    expect(await plain.hlen('work:queued')).toBe(0);
  });

  it('a wake-up (what backoff clear sends) queues the agent without waiting for the next resync', async () => {
    const { hub, plain, human } = await setup();
    await human.createPost({ agentId: 'human', content: '@beta hello' });
    const until = Date.now() + 3_600_000;
    await plain.hset('work:backoff', 'beta', JSON.stringify({ until, failures: 3, last_error: 'boom' }));
    await plain.hset('work:backoff', 'other', JSON.stringify({ until, failures: 1, last_error: 'x' }));
    const c = await startCoordinator(hub, { pollTimeoutSeconds: 30 });
    // The first full resync is over (it found the agent backed off): only a wake-up can queue it before 60 s.
    await waitFor(() => c.capture.events().includes('inbox_resynced'));
    expect(c.capture.events()).toContain('agent_in_backoff');
    const operator = await RedisStore.create({ url: redis.url });
    cleanups.push(() => operator.close());
    // The entry expires by hand (same number of entries), then the wake-up `backoff clear` sends after its HDEL.
    await plain.hset(
      'work:backoff',
      'beta',
      JSON.stringify({ until: Date.now() - 1, failures: 3, last_error: 'boom' }),
    );
    await operator.wakeCoordinator();
    // The figure is ≤ 2 s (bench); the ceiling here is generous. The next full resync is 60 s away.
    await waitFor(async () => (await plain.llen('work:queue:high')) === 1, { timeoutMs: 8_000 });
    expect(c.capture.lines.find((l) => l.event === 'resync_woken')).toMatchObject({ reason: 'operator action' });
  });

  it('DEL work:backoff by hand queues the agent without waiting for the next resync', async () => {
    const { hub, plain, human } = await setup();
    await human.createPost({ agentId: 'human', content: '@gamma hello' });
    const until = Date.now() + 3_600_000;
    await plain.hset('work:backoff', 'gamma', JSON.stringify({ until, failures: 3, last_error: 'boom' }));
    const c = await startCoordinator(hub, { pollTimeoutSeconds: 30 });
    // The first full resync is over (it found the agent backed off): only a wake-up can queue it before 60 s.
    await waitFor(() => c.capture.events().includes('inbox_resynced'));
    expect(c.capture.events()).toContain('agent_in_backoff');
    await plain.del('work:backoff');
    await waitFor(async () => (await plain.llen('work:queue:high')) === 1, { timeoutMs: 8_000 });
    expect(c.capture.lines.find((l) => l.event === 'resync_woken')).toMatchObject({
      reason: 'work:backoff entries cleared',
    });
  });

  it('logs poll_timeout at DEBUG when a long-poll returns no agents', async () => {
    const { hub } = await setup();
    const c = await startCoordinator(hub, { pollTimeoutSeconds: 1 });
    await waitFor(() => c.capture.events().includes('poll_timeout'), { timeoutMs: 10_000 });
    expect(c.capture.lines.find((l) => l.event === 'poll_timeout')).toMatchObject({ level: 'debug' });
  });

  it('queues activatable stale agents behind 200 it cannot activate (no definition, discovery off)', async () => {
    const { hub, plain } = await setup();
    for (const name of undefinedAgents) hub.registerAgent({ name });
    const c = await startCoordinator(hub, { maxDiscoveryQueue: 3, minStalenessSeconds: 0 });
    await waitFor(async () => (await plain.llen('work:queue:low')) === 3, { timeoutMs: 10_000 });
    const agents = (await plain.lrange('work:queue:low', 0, -1)).map(
      (s) => (JSON.parse(s) as { agent_id: string }).agent_id,
    );
    expect(agents.sort()).toEqual(['alpha', 'beta', 'gamma']);
    expect(c.capture.lines.filter((l) => l.event === 'work_enqueued' && l.task_type === 'DISCOVERY')).toHaveLength(3);
  });

  it('prunes expired work:backoff entries of agents that no longer exist, keeps the others', async () => {
    const { hub, plain } = await setup();
    const entry = (until: number): string => JSON.stringify({ until, failures: 2, last_error: 'boom' });
    const twoHoursAgo = Date.now() - 7_200_000;
    await plain.hset('work:backoff', 'renamed-away', entry(twoHoursAgo));
    await plain.hset('work:backoff', 'alpha', entry(twoHoursAgo));
    await plain.hset('work:backoff', 'deleted-recently', entry(Date.now() - 60_000));
    await plain.hset('work:backoff', 'deleted-but-open', entry(Date.now() + 3_600_000));
    const c = await startCoordinator(hub);
    await waitFor(async () => (await plain.hexists('work:backoff', 'renamed-away')) === 0);
    expect((await plain.hkeys('work:backoff')).sort()).toEqual(['alpha', 'deleted-but-open', 'deleted-recently']);
    expect(c.capture.lines.find((l) => l.event === 'backoff_pruned')).toMatchObject({ agents: 1 });
  });

  // Last: it adds a definition to the shared folder.
  it('a definition added (git-sync) queues the agent without waiting for the next resync', async () => {
    const { hub, plain, human } = await setup();
    hub.registerAgent({ name: 'newbie' });
    await human.createPost({ agentId: 'human', content: '@newbie welcome' });
    const c = await startCoordinator(hub, { pollTimeoutSeconds: 30 });
    await waitFor(() => c.capture.events().includes('inbox_resynced'));
    expect(c.capture.lines.find((l) => l.event === 'agent_not_defined')).toMatchObject({ agent_id: 'newbie' });
    writeAgentDefinitions([{ name: 'newbie' }], defsRoot);
    await waitFor(async () => (await plain.llen('work:queue:high')) === 1, { timeoutMs: 8_000 });
    expect(c.capture.lines.find((l) => l.event === 'resync_woken')).toMatchObject({
      reason: 'agent definitions changed',
    });
  });
});
