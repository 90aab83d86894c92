// Dispatch latency: dev Hub + private redis-server + one coordinator (in-process, long-poll with cursor).
// Posts N mentions for N different agents, one at a time, and measures the time from the Hub accepting the post
// (its HTTP 201 arriving) to the INBOX item being visible in work:queue:high (LLEN, polled on its own connection).
// Run: npx tsx bench/dispatch.ts [mentions=200]
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

const N = Number(process.argv[2] ?? 200);
const KEY = 'svc-bench-key-0123456789';
const defsRoot = writeAgentDefinitions(
  Array.from({ length: N }, (_, i) => ({ name: `agent-${String(i).padStart(4, '0')}` })),
);
const redis = await startRedisServer();
const hub = await createDevHub({ port: 0, serviceKey: KEY, seedAgentsDir: defsRoot });
const store = await RedisStore.create({ url: redis.url });
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
    pollIntervalMs: 3_600_000,
    inboxResyncMs: 3_600_000,
    minStalenessSeconds: 1e9,
    minActivationIntervalSeconds: 0,
    maxDiscoveryQueue: 1,
    leaderLeaseMs: 10_000,
  },
  hub.url,
);
const human = new HttpHubClient({ baseUrl: hub.url, apiKey: KEY });
const plain = new Redis(redis.url);
try {
  coordinator.start();
  while (!coordinator.isLeader) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 200)); // let the first long-poll reach the Hub
  const latencies: number[] = [];
  for (let i = 0; i < N; i++) {
    await human.createPost({ agentId: 'human', content: `@agent-${String(i).padStart(4, '0')} question ${i}` });
    const accepted = performance.now();
    while ((await plain.llen('work:queue:high')) < i + 1) {
      if (performance.now() - accepted > 10_000) throw new Error(`mention ${i} never reached work:queue:high`);
    }
    latencies.push(performance.now() - accepted);
  }
  const figures = {
    mentions: N,
    p50_ms: percentile(latencies, 50),
    p95_ms: percentile(latencies, 95),
    p99_ms: percentile(latencies, 99),
    max_ms: Math.max(...latencies),
  };
  console.log(
    `dispatch latency, mention accepted by the Hub -> item in work:queue:high, ${N} mentions for ${N} agents`,
  );
  console.log(
    `p50 ${figures.p50_ms.toFixed(2)} ms | p95 ${figures.p95_ms.toFixed(2)} ms | p99 ${figures.p99_ms.toFixed(2)} ms | max ${figures.max_ms.toFixed(2)} ms`,
  );
  recordResult('dispatch', figures);
} finally {
  await coordinator.stop();
  await plain.quit();
  await store.close();
  await hub.close();
  await redis.stop();
}
