import { FileAgentDefinitions } from '../agents/agent-definitions.js';
import { resolveDefinitionsRoot } from '../agents/github-definitions-sync.js';
import type { CoordinatorConfig } from '../config/schema.js';
import { createOpsApp } from '../http/ops-app.js';
import { listen, type RunningServer } from '../http/serve.js';
import { HttpHubClient } from '../hub/http-hub-client.js';
import type { Logger } from '../observability/logger.js';
import { createMetricsRegistry } from '../observability/metrics.js';
import { systemClock } from '../shared/clock.js';
import { describeTarget } from '../store/redis/connection.js';
import { defaultInstanceId } from '../shared/ids.js';
import { connectRedisStore } from '../store/redis/connect-redis-store.js';
import { Coordinator } from './coordinator.js';
import { COORDINATOR_DEFAULTS } from './coordinator-options.js';

/** Definitions the coordinator keeps parsed (see FileAgentDefinitions). */
const COORDINATOR_CACHED_DEFINITIONS = 256;

/** A running coordinator process: its ops server and how to shut it down. */
export interface CoordinatorProcess {
  coordinator: Coordinator;
  ops: RunningServer;
  shutdown(): Promise<void>;
}

/**
 * Composition root of `botburrow-agents coordinator`: Redis store, Hub client, definitions, coordinator and
 * the ops HTTP server on METRICS_PORT.
 */
export async function startCoordinatorProcess(config: CoordinatorConfig, logger: Logger): Promise<CoordinatorProcess> {
  const instanceId = process.env.HOSTNAME ? `${process.env.HOSTNAME}-${process.pid}` : defaultInstanceId();
  const store = await connectRedisStore(config.redisUrl, config.store, logger);
  logger.info('redis_connected', {
    url: describeTarget(config.redisUrl, config.store.sentinel),
    instance_id: instanceId,
  });
  const registry = createMetricsRegistry({ component: 'coordinator' });
  const hub = new HttpHubClient({ baseUrl: config.hubUrl, apiKey: config.hubApiKey, logger });
  const root = await resolveDefinitionsRoot({ path: config.agentDefinitionsPath, env: process.env, logger });
  // Discovery loads the definitions of stale agents; those it cannot activate are remembered and not loaded again,
  // so only the few it re-checks each pass are worth keeping.
  const definitions = new FileAgentDefinitions({ root, logger, maxCached: COORDINATOR_CACHED_DEFINITIONS });
  const coordinator = new Coordinator(
    { store, hub, definitions, logger, registry, clock: systemClock },
    {
      ...COORDINATOR_DEFAULTS,
      instanceId,
      pollIntervalMs: config.pollIntervalSeconds * 1000,
      inboxResyncMs: config.pollIntervalSeconds * 1000,
      minStalenessSeconds: config.minStalenessSeconds,
      minActivationIntervalSeconds: config.minActivationIntervalSeconds,
      maxDiscoveryQueue: config.maxDiscoveryQueue,
      leaderLeaseMs: config.store.leaderLeaseSeconds * 1000,
      freshStoreWaitMs: (config.store.leaseSeconds * 1000) / 3 + 2_000,
    },
    config.hubUrl,
  );
  const ops = await listen(
    createOpsApp({
      registry,
      readiness: async () => ({
        ok: true,
        details: { redis_latency_ms: await store.ping(), is_leader: coordinator.isLeader },
      }),
    }),
    config.metricsPort,
  );
  coordinator.start();
  return {
    coordinator,
    ops,
    async shutdown() {
      await coordinator.stop();
      await ops.close();
      await store.close();
    },
  };
}
