import type { BudgetCache } from '../activation/budget-cache.js';
import { FileAgentDefinitions } from '../agents/agent-definitions.js';
import { Coordinator } from '../coordinator/coordinator.js';
import { COORDINATOR_DEFAULTS, type CoordinatorOptions } from '../coordinator/coordinator-options.js';
import { createDevHub, type DevHub } from '../devhub/create-dev-hub.js';
import { createExecutorRegistry } from '../executors/create-executor-registry.js';
import type { ExecutorRegistry } from '../executors/executor-registry.js';
import { HttpHubClient } from '../hub/http-hub-client.js';
import { createMcpToolsFactory, type McpToolsFactoryOptions } from '../mcp/create-mcp-tools-factory.js';
import { createMetricsRegistry } from '../observability/metrics.js';
import { createSandbox } from '../sandbox/create-sandbox.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { Runner } from '../runner/runner.js';
import { RUNNER_DEFAULTS, type RunnerOptions } from '../runner/runner-options.js';
import { systemClock } from '../shared/clock.js';
import { RedisStore } from '../store/redis/redis-store.js';
import type { Store } from '../store/store.js';
import { captureLogger, type LogLine } from './capture-logger.js';
import { FakeLlmServer } from './fake-llm-server.js';
import { waitFor } from './wait-for.js';
import { writeAgentDefinitions, type FixtureAgent } from './agent-fixtures.js';

/**
 * Wait until `agent`'s activation ended in `lines` after index `seen` (completed or failed); returns the
 * `notification_outcome` lines it logged.
 */
export async function activationOutcomes(lines: readonly LogLine[], seen: number, agent: string): Promise<LogLine[]> {
  const mine = (l: LogLine): boolean => l.agent_id === agent;
  await waitFor(() => lines.slice(seen).some((l) => mine(l) && /^activation_(completed|failed)$/.test(l.event)), {
    timeoutMs: 20_000,
    message: `${agent}: no activation ended`,
  });
  return lines.slice(seen).filter((l) => mine(l) && l.event === 'notification_outcome');
}

/** Service key every harness Hub accepts. */
export const HARNESS_SERVICE_KEY = 'svc-harness-key-0123456789';
/**
 * LLM key in the runners' env under both provider names. The fake LLM is on loopback, a local endpoint bound to no
 * key, so the runtime never sends it (llm-key-binding.ts): it is a canary that must not show up anywhere.
 */
export const HARNESS_LLM_KEY = 'sk-fake-llm-key-0123456789';

/**
 * A whole runtime for end-to-end tests: a dev Hub (in-process, loopback), a fake LLM server, agent definitions
 * pointing at it, a Redis store on the given URL, and runners started on demand. `close()` stops everything.
 */
export class RuntimeHarness {
  private readonly closers: (() => Promise<unknown>)[] = [];
  private constructor(
    readonly hub: DevHub,
    readonly llm: FakeLlmServer,
    readonly store: Store,
    readonly defsRoot: string,
    readonly human: HttpHubClient,
    readonly redisUrl: string,
  ) {}

  static async start(
    redisUrl: string,
    agents: (llm: FakeLlmServer) => FixtureAgent[],
    options: { ignoreIdempotency?: boolean } = {},
  ): Promise<RuntimeHarness> {
    const llm = await FakeLlmServer.start();
    const defsRoot = writeAgentDefinitions(agents(llm));
    const hub = await createDevHub({
      port: 0,
      seedAgentsDir: defsRoot,
      serviceKey: HARNESS_SERVICE_KEY,
      ignoreIdempotency: options.ignoreIdempotency,
    });
    const store = await RedisStore.create({ url: redisUrl, leaseSeconds: 2 });
    const human = new HttpHubClient({ baseUrl: hub.url, apiKey: HARNESS_SERVICE_KEY });
    const h = new RuntimeHarness(hub, llm, store, defsRoot, human, redisUrl);
    h.closers.push(
      () => llm.close(),
      () => hub.close(),
      () => store.close(),
    );
    return h;
  }

  /** Base env of a runner child process (the canary LLM key under every provider name). */
  get env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      HUB_URL: this.hub.url,
      HUB_API_KEY: HARNESS_SERVICE_KEY,
      VALKEY_URL: this.redisUrl,
      AGENT_DEFINITIONS_PATH: this.defsRoot,
      ANTHROPIC_API_KEY: HARNESS_LLM_KEY,
      OPENAI_API_KEY: HARNESS_LLM_KEY,
      GEMINI_API_KEY: HARNESS_LLM_KEY,
      METRICS_PORT: '0',
      LOG_LEVEL: 'DEBUG',
    };
  }

  /**
   * Start an in-process runner with a capturing logger. `mcp` turns on MCP servers for native agents (the factory
   * gets the capturing logger and `env`; stdio servers run in `mcp.sandbox`, by default a bubblewrap sandbox, which
   * CI installs). `deps.executors` replaces the native-only executor registry (CLI tests). `deps.budgetCache`: the
   * runner process's budget cache (default none: the Hub is asked before every activation).
   */
  async startRunner(
    options: Partial<RunnerOptions> = {},
    env: NodeJS.ProcessEnv = this.env,
    mcp?: Omit<McpToolsFactoryOptions, 'logger' | 'env' | 'sandbox'> & { sandbox?: Sandbox },
    deps: { executors?: ExecutorRegistry; hubFetch?: typeof fetch; redisUrl?: string; budgetCache?: BudgetCache } = {},
  ) {
    const capture = captureLogger();
    const store = await RedisStore.create({
      url: deps.redisUrl ?? this.redisUrl,
      leaseSeconds: 2,
      logger: capture.logger,
    });
    const hub = new HttpHubClient({
      baseUrl: this.hub.url,
      apiKey: HARNESS_SERVICE_KEY,
      retry: { attempts: 2, baseMs: 20, maxMs: 50 },
      fetch: deps.hubFetch,
      logger: capture.logger,
    });
    const registry = createMetricsRegistry();
    const runner = new Runner(
      {
        store,
        hub,
        definitions: new FileAgentDefinitions({ root: this.defsRoot }),
        executors: deps.executors ?? createExecutorRegistry({ native: { retry: { baseDelayMs: 10, maxDelayMs: 50 } } }),
        logger: capture.logger,
        env,
        extraTools: mcp
          ? createMcpToolsFactory({
              ...mcp,
              sandbox: mcp.sandbox ?? (await createSandbox({ kind: 'bwrap', env, logger: capture.logger })),
              logger: capture.logger,
              env,
            })
          : undefined,
        registry,
        clock: systemClock,
        ...(deps.budgetCache ? { budgetCache: deps.budgetCache } : {}),
      },
      {
        ...RUNNER_DEFAULTS,
        runnerId: `runner-${Math.random().toString(16).slice(2, 8)}`,
        mode: 'hybrid',
        maxConcurrentActivations: 1,
        activationTimeoutMs: 30_000,
        leaseMs: 2_000,
        claimBlockMs: 500,
        heartbeatMs: 500,
        infraBackoffMaxMs: 500,
        ...options,
      },
    );
    runner.start();
    this.closers.push(async () => {
      await runner.stop(500);
      await store.close();
    });
    return { runner, capture, registry, store };
  }

  /** Start an in-process coordinator (long-poll, resync, reaper) with a capturing logger. */
  async startCoordinator(options: Partial<CoordinatorOptions> = {}) {
    const capture = captureLogger();
    const store = await RedisStore.create({ url: this.redisUrl, leaseSeconds: 2, leaderLeaseSeconds: 2 });
    const coordinator = new Coordinator(
      {
        store,
        hub: new HttpHubClient({
          baseUrl: this.hub.url,
          apiKey: HARNESS_SERVICE_KEY,
          retry: { attempts: 2, baseMs: 20, maxMs: 50 },
        }),
        definitions: new FileAgentDefinitions({ root: this.defsRoot }),
        logger: capture.logger,
        registry: createMetricsRegistry(),
        clock: systemClock,
      },
      {
        ...COORDINATOR_DEFAULTS,
        instanceId: `coordinator-${Math.random().toString(16).slice(2, 8)}`,
        pollIntervalMs: 1_000,
        inboxResyncMs: 1_000,
        minStalenessSeconds: 3600,
        minActivationIntervalSeconds: 0,
        maxDiscoveryQueue: 0,
        leaderLeaseMs: 2_000,
        pollTimeoutSeconds: 2,
        reapIntervalMs: 500,
        statusIntervalMs: 60_000,
        hubBackoffMaxMs: 200,
        ...options,
      },
      this.hub.url,
    );
    coordinator.start();
    this.closers.push(async () => {
      await coordinator.stop();
      await store.close();
    });
    return { coordinator, capture };
  }

  /** Post as the human and return the post. */
  mention(content: string) {
    return this.human.createPost({ agentId: 'human', content });
  }

  /** Comments on a post written by `agentId`. */
  async repliesBy(postId: string, agentId: string) {
    const thread = await this.human.getThread(postId, { agentId: 'human' });
    return thread.comments.filter((c) => c.author.id === agentId);
  }

  async close(): Promise<void> {
    for (const c of this.closers.splice(0).reverse()) await c().catch(() => undefined);
  }
}
