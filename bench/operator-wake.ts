// How long an operator action takes to become queued work, with POLL_INTERVAL=30 s and a 30 s long-poll (so neither
// the periodic resync nor the long-poll can be what queues it): `backoff clear AGENT` (store.clearBackoff: HDEL and a
// wake-up on coordinator:wake) and `DEL work:backoff` by hand (noticed by the leader's HLEN check), 5 times each.
// Run: npx tsx bench/operator-wake.ts
import { Redis } from 'ioredis';
import { FileAgentDefinitions } from '../src/agents/agent-definitions.js';
import { Coordinator } from '../src/coordinator/coordinator.js';
import { COORDINATOR_DEFAULTS } from '../src/coordinator/coordinator-options.js';
import { createDevHub } from '../src/devhub/create-dev-hub.js';
import { HttpHubClient } from '../src/hub/http-hub-client.js';
import { silentLogger } from '../src/observability/logger.js';
import { createMetricsRegistry } from '../src/observability/metrics.js';
import { systemClock } from '../src/shared/clock.js';
import { RedisStore } from '../src/store/redis/redis-store.js';
import { writeAgentDefinitions } from '../src/testing/agent-fixtures.js';
import { startRedisServer } from '../src/testing/redis-server.js';
import { percentile, recordResult } from './record.js';

const KEY = 'svc-wake-key-0123456789';
const TRIALS = 5;
const redis = await startRedisServer();
const plain = new Redis(redis.url);
const defsRoot = writeAgentDefinitions([{ name: 'alpha' }]);
const hub = await createDevHub({ port: 0, serviceKey: KEY, seedAgentsDir: defsRoot });
const store = await RedisStore.create({ url: redis.url });
const operator = await RedisStore.create({ url: redis.url });
const coordinator = new Coordinator(
  {
    store,
    hub: new HttpHubClient({ baseUrl: hub.url, apiKey: KEY }),
    definitions: new FileAgentDefinitions({ root: defsRoot }),
    logger: silentLogger,
    registry: createMetricsRegistry(),
    clock: systemClock,
  },
  {
    ...COORDINATOR_DEFAULTS,
    instanceId: 'bench',
    pollIntervalMs: 30_000,
    inboxResyncMs: 30_000,
    minStalenessSeconds: 3600,
    minActivationIntervalSeconds: 0,
    maxDiscoveryQueue: 0,
    leaderLeaseMs: 10_000,
  },
);

/** Back alpha off (a failed activation), then time `action` until its work is queued again. */
async function trial(action: () => Promise<unknown>): Promise<number> {
  const claim = await operator.claim(['high'], { runnerId: 'bench', blockMs: 10_000 });
  if (!claim) throw new Error('no work to claim');
  await operator.ack(claim, { kind: 'failure', error: 'bench' });
  await new Promise((r) => setTimeout(r, 1_500)); // the leader has seen the backoff count
  const t0 = performance.now();
  await action();
  while ((await plain.llen('work:queue:high')) === 0) await new Promise((r) => setTimeout(r, 10));
  return performance.now() - t0;
}

try {
  await new HttpHubClient({ baseUrl: hub.url, apiKey: KEY }).createPost({ agentId: 'human', content: '@alpha hi' });
  coordinator.start();
  while ((await plain.llen('work:queue:high')) === 0) await new Promise((r) => setTimeout(r, 50));
  const clear: number[] = [];
  const del: number[] = [];
  for (let i = 0; i < TRIALS; i++) clear.push(await trial(() => operator.clearBackoff('alpha')));
  for (let i = 0; i < TRIALS; i++) del.push(await trial(() => plain.del('work:backoff')));
  const fmt = (v: number[]): string => `p50 ${percentile(v, 50).toFixed(0)} ms, max ${Math.max(...v).toFixed(0)} ms`;
  console.log(`operator action → work queued: backoff clear ${fmt(clear)}; DEL work:backoff ${fmt(del)}`);
  recordResult('operator_wake', { backoff_clear_ms: clear, del_backoff_ms: del });
} finally {
  await coordinator.stop();
  await store.close();
  await operator.close();
  await plain.quit();
  await hub.close();
  await redis.stop();
}
