// An in-process deployment for end-to-end benchmarks: dev Hub, fake LLM, one coordinator and in-process runners on
// a private redis-server. Timestamps of posts, claims and replies are recorded per agent (one mention per agent).
import { Redis } from 'ioredis';
import { FileAgentDefinitions } from '../src/agents/agent-definitions.js';
import { Coordinator } from '../src/coordinator/coordinator.js';
import { COORDINATOR_DEFAULTS } from '../src/coordinator/coordinator-options.js';
import { createDevHub, type DevHub } from '../src/devhub/create-dev-hub.js';
import { createExecutorRegistry } from '../src/executors/create-executor-registry.js';
import { HttpHubClient } from '../src/hub/http-hub-client.js';
import type { Logger, LogFields } from '../src/observability/logger.js';
import { createMetricsRegistry } from '../src/observability/metrics.js';
import { Runner } from '../src/runner/runner.js';
import { RUNNER_DEFAULTS } from '../src/runner/runner-options.js';
import { systemClock } from '../src/shared/clock.js';
import { RedisStore } from '../src/store/redis/redis-store.js';
import { writeAgentDefinitions } from '../src/testing/agent-fixtures.js';
import { FakeLlmServer, text } from '../src/testing/fake-llm-server.js';

export const KEY = 'svc-bench-key-0123456789';
export const LLM_KEY = 'sk-bench-llm-0123456789';

/** Per-agent timestamps (performance.now()). */
export interface Timings {
  posted: Map<string, number>;
  claimed: Map<string, number>;
  replied: Map<string, number>;
  failures: number;
}

/** A Logger that only records the events the benchmark times. */
function timingLogger(t: Timings, bindings: LogFields = {}): Logger {
  const logger: Logger = {
    debug: () => undefined,
    info: (event: string, fields?: LogFields) => {
      const agent = fields?.agent_id ?? bindings.agent_id;
      if (event === 'activation_started' && typeof agent === 'string') t.claimed.set(agent, performance.now());
    },
    warn: () => undefined,
    error: (event: string) => {
      if (event === 'activation_failed') t.failures++;
    },
    child: (more) => timingLogger(t, { ...bindings, ...more }),
    isDebugEnabled: () => false,
  };
  return logger;
}

export class Stack {
  readonly timings: Timings = { posted: new Map(), claimed: new Map(), replied: new Map(), failures: 0 };
  private readonly closers: (() => Promise<unknown>)[] = [];
  private constructor(
    readonly hub: DevHub,
    readonly llm: FakeLlmServer,
    readonly agents: string[],
    readonly defsRoot: string,
    readonly redisUrl: string,
    readonly human: HttpHubClient,
  ) {}

  static async start(redisUrl: string, agentCount: number, llmLatencyMs = 0): Promise<Stack> {
    const plain = new Redis(redisUrl);
    await plain.flushall();
    await plain.quit();
    const llm = await FakeLlmServer.start({ apiKey: LLM_KEY, latencyMs: llmLatencyMs });
    llm.respondWith(() => text('ok'));
    const agents = Array.from({ length: agentCount }, (_, i) => `agent-${String(i).padStart(5, '0')}`);
    const defsRoot = writeAgentDefinitions(agents.map((name) => ({ name, apiBase: llm.url, grants: ['hub:write'] })));
    const hub = await createDevHub({ port: 0, serviceKey: KEY, seedAgentsDir: defsRoot });
    const stack = new Stack(hub, llm, agents, defsRoot, redisUrl, new HttpHubClient({ baseUrl: hub.url, apiKey: KEY }));
    hub.events.on('post', (p) => {
      const agent = /@(agent-\d+)/.exec(p.content)?.[1];
      if (agent) stack.timings.posted.set(agent, performance.now());
    });
    hub.events.on('comment', (c) => stack.timings.replied.set(c.author.id, performance.now()));
    stack.closers.push(
      () => llm.close(),
      () => hub.close(),
    );
    return stack;
  }

  async startCoordinator(): Promise<Coordinator> {
    const store = await RedisStore.create({ url: this.redisUrl });
    const coordinator = new Coordinator(
      {
        store,
        hub: new HttpHubClient({ baseUrl: this.hub.url, apiKey: KEY }),
        definitions: new FileAgentDefinitions({ root: this.defsRoot }),
        logger: timingLogger(this.timings),
        registry: createMetricsRegistry(),
        clock: systemClock,
      },
      {
        ...COORDINATOR_DEFAULTS,
        instanceId: 'bench-coordinator',
        pollIntervalMs: 3_600_000,
        inboxResyncMs: 3_600_000,
        minStalenessSeconds: 1e9,
        minActivationIntervalSeconds: 0,
        maxDiscoveryQueue: 1,
        leaderLeaseMs: 10_000,
      },
      this.hub.url,
    );
    coordinator.start();
    while (!coordinator.isLeader) await new Promise((r) => setTimeout(r, 10));
    this.closers.push(async () => {
      await coordinator.stop();
      await store.close();
    });
    return coordinator;
  }

  async startRunners(count: number, concurrency: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const store = await RedisStore.create({ url: this.redisUrl });
      const runner = new Runner(
        {
          store,
          hub: new HttpHubClient({ baseUrl: this.hub.url, apiKey: KEY }),
          definitions: new FileAgentDefinitions({ root: this.defsRoot }),
          executors: createExecutorRegistry(),
          logger: timingLogger(this.timings),
          env: { ANTHROPIC_API_KEY: LLM_KEY },
          registry: createMetricsRegistry(),
          clock: systemClock,
        },
        {
          ...RUNNER_DEFAULTS,
          runnerId: `bench-runner-${i}`,
          mode: 'hybrid',
          maxConcurrentActivations: concurrency,
          activationTimeoutMs: 120_000,
          leaseMs: 30_000,
          claimBlockMs: 1_000,
        },
      );
      runner.start();
      this.closers.push(async () => {
        await runner.stop(1_000);
        await store.close();
      });
    }
  }

  /** Post one mention to each of `agents`, `intervalMs` apart (0 = as fast as the Hub accepts them). */
  async mention(agents: readonly string[], intervalMs = 0): Promise<void> {
    const start = performance.now();
    for (let i = 0; i < agents.length; i++) {
      const agent = agents[i]!;
      if (intervalMs > 0) {
        const due = start + i * intervalMs;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      await this.human.createPost({ agentId: 'human', content: `@${agent} benchmark question` });
    }
  }

  /** Resolve when every agent in `agents` has replied (or reject after `timeoutMs`). */
  async allReplied(agents: readonly string[], timeoutMs = 300_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (agents.some((a) => !this.timings.replied.has(a))) {
      if (performance.now() > deadline)
        throw new Error(`${agents.filter((a) => !this.timings.replied.has(a)).length} mentions never answered`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Env for runner child processes of this stack. */
  childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      HUB_URL: this.hub.url,
      HUB_API_KEY: KEY,
      VALKEY_URL: this.redisUrl,
      AGENT_DEFINITIONS_PATH: this.defsRoot,
      ANTHROPIC_API_KEY: LLM_KEY,
      METRICS_PORT: '0',
      LOG_LEVEL: 'INFO',
      ...extra,
    };
  }

  /** Register a cleanup step (run in reverse order by `close`). */
  onClose(fn: () => Promise<unknown>): void {
    this.closers.push(fn);
  }

  async close(): Promise<void> {
    for (const c of this.closers.splice(0).reverse()) await c().catch(() => undefined);
  }
}
