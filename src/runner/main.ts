import type { ActivationDeps } from '../activation/activation-types.js';
import { BudgetCache } from '../activation/budget-cache.js';
import { FileAgentDefinitions } from '../agents/agent-definitions.js';
import { resolveDefinitionsRoot } from '../agents/github-definitions-sync.js';
import type { RunnerConfig } from '../config/schema.js';
import { createExecutorRegistry } from '../executors/create-executor-registry.js';
import type { LlmProviderFactory } from '../executors/native/llm/create-llm-provider.js';
import type { Registry } from 'prom-client';
import { createOpsApp } from '../http/ops-app.js';
import { listen, type RunningServer } from '../http/serve.js';
import { HttpHubClient } from '../hub/http-hub-client.js';
import { createProxyAwareFetch } from '../hub/proxy-fetch.js';
import { createMcpToolsFromEnv } from '../mcp/create-mcp-tools-from-env.js';
import type { Logger } from '../observability/logger.js';
import { createMetricsRegistry } from '../observability/metrics.js';
import { sandboxFromEnv, weakSandboxRefusal } from '../sandbox/sandbox-from-env.js';
import { systemClock } from '../shared/clock.js';
import { describeTarget } from '../store/redis/connection.js';
import { connectRedisStore } from '../store/redis/connect-redis-store.js';
import { nativeLlmFetch } from './llm-fetch.js';
import { Runner } from './runner.js';
import { RUNNER_DEFAULTS } from './runner-options.js';

/** A running runner process: its ops server and how to shut it down (drain first). */
export interface RunnerProcess {
  runner: Runner;
  ops: RunningServer;
  shutdown(): Promise<void>;
}

/**
 * What every activation of a runner needs, built from config and env: Hub client, definitions (git-sync path or
 * GitHub mode), executors (native with a proxy-aware fetch, CLI in the sandbox), and the agents' MCP servers.
 * Shared by the runner and `botburrow-agents activate`, so a foreground activation runs exactly like a queued one.
 * With `mcpPool` (the runner) stdio MCP servers stay warm between activations; `drainMcp()` stops them.
 */
export async function createActivationDeps(
  config: RunnerConfig,
  logger: Logger,
  env: NodeJS.ProcessEnv,
  options: {
    mcpPool?: boolean;
    registry?: Registry;
    /** The native executor's model client factory (`activate --offline`: the offline brain). @default the SDKs */
    createProvider?: LlmProviderFactory;
  } = {},
): Promise<ActivationDeps & { drainMcp(): Promise<void> }> {
  const { createProvider } = options;
  const sandbox = await sandboxFromEnv(env, logger);
  const mcp = await createMcpToolsFromEnv(env, logger, sandbox, { pool: options.mcpPool, registry: options.registry });
  const definitionsRoot = await resolveDefinitionsRoot({ path: config.agentDefinitionsPath, env, logger });
  return {
    hub: new HttpHubClient({ baseUrl: config.hubUrl, apiKey: config.hubApiKey, logger }),
    definitions: new FileAgentDefinitions({ root: definitionsRoot, logger }),
    executors: createExecutorRegistry({
      native: { fetch: nativeLlmFetch(env), retry: config.llmRetry, ...(createProvider ? { createProvider } : {}) },
      cli: { sandbox, env, refuseReason: weakSandboxRefusal(sandbox, env), fetch: llmFetch(env) },
    }),
    logger,
    env,
    extraTools: mcp,
    drainMcp: () => mcp.drain(),
    maxNotificationAttempts: config.maxNotificationAttempts,
  };
}

/** Composition root of `botburrow-agents runner`. */
export async function startRunnerProcess(
  config: RunnerConfig,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunnerProcess> {
  const store = await connectRedisStore(config.redisUrl, config.store, logger);
  logger.info('redis_connected', {
    url: describeTarget(config.redisUrl, config.store.sentinel),
    runner_id: config.runnerId,
  });
  const registry = createMetricsRegistry({ component: 'runner' });
  const deps = await createActivationDeps(config, logger, env, { mcpPool: true, registry });
  const runner = new Runner(
    {
      ...deps,
      // Per process, for the runner only: `activate` runs one activation, and dev mode asks the Hub every time so a
      // budget changed there applies to the next activation.
      budgetCache: new BudgetCache({ ttlMs: config.budgetCacheSeconds * 1000, clock: systemClock }),
      store,
      registry,
      clock: systemClock,
    },
    {
      ...RUNNER_DEFAULTS,
      runnerId: config.runnerId,
      mode: config.runnerMode,
      maxConcurrentActivations: config.maxConcurrentActivations,
      activationTimeoutMs: config.activationTimeoutSeconds * 1000,
      leaseMs: config.store.leaseSeconds * 1000,
      drainTimeoutMs: config.drainTimeoutMs,
      budgetParkMs: config.store.backoffMaxSeconds * 1000,
    },
  );
  const ops = await listen(
    createOpsApp({
      registry,
      readiness: async () => {
        const latency = await store.ping();
        const state = runner.currentState;
        return {
          ok: state === 'running',
          reason: state === 'running' ? undefined : `runner is ${state}`,
          details: { redis_latency_ms: latency, mode: config.runnerMode },
        };
      },
    }),
    config.metricsPort,
  );
  runner.start();
  return {
    runner,
    ops,
    async shutdown() {
      await runner.stop();
      await deps.drainMcp();
      await ops.close();
      await store.close();
    },
  };
}

export { sandboxFromEnv, weakSandboxRefusal };

/**
 * The CLI agents' LLM gateway fetch (streams), honouring HTTP(S)_PROXY / NO_PROXY like the Hub client. The native
 * agents' SDKs use `nativeLlmFetch` (lean keep-alive transport, buffered bodies).
 */
export function llmFetch(env: NodeJS.ProcessEnv): typeof fetch {
  const proxyAware = createProxyAwareFetch(env);
  return (input, init) => {
    if (input instanceof Request) return fetch(input, init);
    return proxyAware(input instanceof URL ? input.href : input, init);
  };
}
