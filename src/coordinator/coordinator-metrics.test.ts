// The coordinator's gauges of the shared state, read from a real Redis (private redis-server) at scrape time, as
// the Grafana dashboard and the alerts in k8s/apexalgo-iad/monitoring/ use them: oldest queued age per queue, dead
// letters, live runners per pool, leader epoch (failovers); and botburrow_dependency_errors_total per dependency.
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubUnavailableError } from '../hub/errors.js';
import { dependencyOf } from '../observability/dependency-errors.js';
import { AppError } from '../shared/errors.js';
import { StoreError } from '../store/errors.js';
import { RedisStore } from '../store/redis/redis-store.js';
import { startRedisServer, type RedisServerHandle } from '../testing/redis-server.js';
import { waitFor } from '../testing/wait-for.js';
import { createCoordinatorMetrics } from './coordinator-metrics.js';

let redis: RedisServerHandle;
let store: RedisStore;
let registry: Registry;

beforeAll(async () => {
  redis = await startRedisServer();
  store = await RedisStore.create({ url: redis.url, maxDeliveryAttempts: 1, leaderLeaseSeconds: 1 });
  registry = new Registry();
  createCoordinatorMetrics(registry, store);
});
afterAll(async () => {
  await store?.close();
  await redis?.stop();
});

/** The value of one sample of the scraped text, e.g. `botburrow_dead_letters` or `x{queue="high"}`. */
async function sample(series: string): Promise<number | undefined> {
  const text = await registry.metrics();
  const escaped = series.replace(/[{}"]/g, (c) => `\\${c}`);
  const m = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

describe('coordinator state gauges', () => {
  it('oldest queued age per queue grows while an item waits and is 0 for an empty queue', async () => {
    await store.enqueue({ agent_id: 'old-one', task_type: 'INBOX', inbox_count: 1, has_mention: true });
    expect(await sample('botburrow_work_queue_oldest_age_seconds{queue="low"}')).toBe(0);
    // Seconds, not ms: after a second of waiting the age passes 1.
    await waitFor(async () => (await sample('botburrow_work_queue_oldest_age_seconds{queue="high"}'))! >= 1, {
      timeoutMs: 10_000,
    });
    expect(await sample('botburrow_work_queue_oldest_age_seconds{queue="high"}')).toBeLessThan(60);
    const claim = await store.claim(['high'], { runnerId: 'r1', blockMs: 100 });
    await store.ack(claim!, { kind: 'success' });
    expect(await sample('botburrow_work_queue_oldest_age_seconds{queue="high"}')).toBe(0);
  });

  it('counts dead letters, live runners per pool and follows the leader epoch', async () => {
    expect(await sample('botburrow_dead_letters')).toBe(0);
    const token = (await store.tryAcquireLeadership('coord-a', 1_000))!;
    const epoch = (await sample('botburrow_coordinator_leader_epoch'))!;
    expect(epoch).toBeGreaterThan(0);
    await store.enqueue({ agent_id: 'doomed', task_type: 'DISCOVERY' });
    await store.claim(['low'], { runnerId: 'r1', blockMs: 100, leaseMs: 1 });
    await waitFor(async () => (await store.reap(token)).dead.length === 1);
    expect(await sample('botburrow_dead_letters')).toBe(1);

    await store.heartbeatRunner({ runner_id: 'n1', mode: 'notification', activations: [] });
    await store.heartbeatRunner({ runner_id: 'h1', mode: 'hybrid', activations: [] });
    await store.heartbeatRunner({ runner_id: 'h2', mode: 'hybrid', activations: [] });
    expect(await sample('botburrow_runners_live{mode="hybrid"}')).toBe(2);
    expect(await sample('botburrow_runners_live{mode="notification"}')).toBe(1);
    expect(await sample('botburrow_runners_live{mode="exploration"}')).toBe(0);
    await store.removeRunner('h1');
    expect(await sample('botburrow_runners_live{mode="hybrid"}')).toBe(1);

    await store.releaseLeadership(token);
    await store.tryAcquireLeadership('coord-b', 1_000);
    expect(await sample('botburrow_coordinator_leader_epoch')).toBe(epoch + 1);
  });

  it('exports every dependency error series from the start, and classifies errors by dependency', async () => {
    for (const d of ['hub', 'llm', 'redis'])
      expect(await sample(`botburrow_dependency_errors_total{dependency="${d}"}`)).toBe(0);
    expect(dependencyOf(new HubUnavailableError('down'))).toBe('hub');
    expect(dependencyOf(new AppError('llm_unavailable', 'overloaded'))).toBe('llm');
    // The runner's own configuration, not the provider's failure.
    expect(dependencyOf(new AppError('llm_key_not_bound', 'key not bound to this endpoint'))).toBeUndefined();
    expect(dependencyOf(new AppError('llm_api_key_missing', 'ANTHROPIC_API_KEY is missing'))).toBeUndefined();
    expect(dependencyOf(new StoreError('store_unavailable', 'ECONNREFUSED'))).toBe('redis');
    expect(dependencyOf(new AppError('definition_invalid', 'bad yaml'))).toBeUndefined();
  });
});
