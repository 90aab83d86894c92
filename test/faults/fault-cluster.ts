import { writeFileSync } from 'node:fs';
// A whole deployment on one machine for fault injection: private redis-server (appendonly), dev Hub behind a
// fault proxy, fake LLM server (switchable to 529), and coordinator/runner child processes started on demand.
import { createDevHub, type DevHub } from '../../src/devhub/create-dev-hub.js';
import { HttpHubClient } from '../../src/hub/http-hub-client.js';
import { RedisStore } from '../../src/store/redis/redis-store.js';
import { writeAgentDefinitions, type FixtureAgent } from '../../src/testing/agent-fixtures.js';
import { ChildService } from '../../src/testing/child-service.js';
import { error, FakeLlmServer, text } from '../../src/testing/fake-llm-server.js';
import { FaultProxy } from '../../src/testing/fault-proxy.js';
import { startRedisServer, type RedisServerHandle } from '../../src/testing/redis-server.js';
import { startSentinelSetup, type SentinelSetup } from '../../src/testing/sentinel-setup.js';
import { waitFor } from '../../src/testing/wait-for.js';

const KEY = 'svc-faults-key-0123456789';
/** VALKEY_URL in Sentinel mode: only its (empty) password and db count; its host is never contacted. */
const UNUSED_URL = 'redis://127.0.0.1:1/0';
/** In the runners' env as a canary: the fake LLM is on loopback, which gets no key (llm-key-binding.ts). */
const LLM_KEY = 'sk-faults-llm-0123456789';

/** What a scenario measured; the assertions are on `lost` and `duplicates`. */
export interface ScenarioResult {
  scenario: string;
  mentions: number;
  replies: number;
  lost: number;
  duplicates: number;
  unread: number;
  maxLeaderGapMs?: number;
  recoveryMs?: number;
  restartsNeeded?: number;
}

/** A mention containing this text makes the fake LLM answer 500 (for that prompt only). */
export const POISON_PILL = 'poison pill';

/** What became of one poison mention: no reply, its notification read, `notification_failed` logged for it. */
export interface PoisonResult {
  replies: number;
  unread: number;
  failedLogged: boolean;
}

export class FaultCluster {
  llmFailing = false;
  /** 529 answers the fake LLM served while `llmFailing`. */
  llm529s = 0;
  /** 500 answers the fake LLM served for the poison prompt. */
  poison500s = 0;
  readonly coordinators: ChildService[] = [];
  readonly runners: ChildService[] = [];
  /** Runners killed during the scenario (their logs are kept). */
  readonly retired: ChildService[] = [];
  readonly posts: { id: string; agent: string }[] = [];

  private constructor(
    readonly redis: RedisServerHandle,
    readonly hub: DevHub,
    readonly proxy: FaultProxy,
    readonly llm: FakeLlmServer,
    readonly store: RedisStore,
    readonly agents: string[],
    readonly defsRoot: string,
    private readonly human: HttpHubClient,
    private readonly options: { llmRetryBaseMs?: number } = {},
    /** With `sentinel: true`: the master, replica and sentinels; `redis` is then the first master. */
    readonly sentinel?: SentinelSetup,
  ) {}

  static async start(
    options: {
      agents?: number;
      llmLatencyMs?: number;
      extraAgents?: (llmUrl: string) => FixtureAgent[];
      /** The dev Hub ignores Idempotency-Key (as a Hub that does not promise it). @default false */
      ignoreIdempotency?: boolean;
      /** redis-server keeps an append-only file (data survives a restart). @default true */
      persistence?: boolean;
      /** LLM_RETRY_BASE_MS of the runners (short: a poison prompt fails sooner). @default the runtime's */
      llmRetryBaseMs?: number;
      /** Redis behind Sentinel (master, replica, three sentinels); every process connects through the sentinels. */
      sentinel?: boolean;
    } = {},
  ): Promise<FaultCluster> {
    const agents = Array.from({ length: options.agents ?? 20 }, (_, i) => `agent-${String(i).padStart(2, '0')}`);
    const sentinel = options.sentinel ? await startSentinelSetup() : undefined;
    const redis = sentinel?.master ?? (await startRedisServer({ appendonly: options.persistence ?? true }));
    const llm = await FakeLlmServer.start({ latencyMs: options.llmLatencyMs ?? 20 });
    const defsRoot = writeAgentDefinitions([
      ...agents.map((name) => ({ name, apiBase: llm.url })),
      ...(options.extraAgents?.(llm.url) ?? []),
    ]);
    const hub = await createDevHub({
      port: 0,
      serviceKey: KEY,
      seedAgentsDir: defsRoot,
      ignoreIdempotency: options.ignoreIdempotency ?? false,
    });
    const proxy = await FaultProxy.start(hub.url);
    const store = await RedisStore.create(
      sentinel
        ? { url: UNUSED_URL, sentinel: { sentinels: sentinel.sentinels, master: sentinel.name } }
        : { url: redis.url },
    );
    const human = new HttpHubClient({ baseUrl: hub.url, apiKey: KEY });
    const cluster = new FaultCluster(redis, hub, proxy, llm, store, agents, defsRoot, human, options, sentinel);
    llm.respondWith((req) => {
      if (cluster.llmFailing) {
        cluster.llm529s++;
        return error(529);
      }
      // The poison prompt: the model fails on this one only (an executor error that belongs to one notification).
      if (req.rawBody.includes(POISON_PILL)) {
        cluster.poison500s++;
        return error(500);
      }
      return text(`Answer: ${(req.lastUserText ?? '').slice(0, 60).replace(/\s+/g, ' ')}`);
    });
    return cluster;
  }

  /** Env of every child process: the Hub through the fault proxy, short leases and backoffs so faults heal fast. */
  get env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      HUB_URL: this.proxy.url,
      HUB_API_KEY: KEY,
      ...(this.sentinel
        ? {
            VALKEY_URL: UNUSED_URL,
            VALKEY_SENTINELS: this.sentinel.sentinels.map((s) => `${s.host}:${s.port}`).join(','),
            VALKEY_SENTINEL_MASTER: this.sentinel.name,
          }
        : { VALKEY_URL: this.redis.url }),
      AGENT_DEFINITIONS_PATH: this.defsRoot,
      ANTHROPIC_API_KEY: LLM_KEY,
      METRICS_PORT: '0',
      LOG_LEVEL: 'INFO',
      LEASE_SECONDS: '2',
      LEADER_LEASE_SECONDS: '2',
      POLL_INTERVAL: '2',
      MIN_STALENESS_SECONDS: '999999999',
      BACKOFF_BASE_SECONDS: '1',
      BACKOFF_MAX_SECONDS: '3',
      MAX_DELIVERY_ATTEMPTS: '50',
      ...(this.options.llmRetryBaseMs ? { LLM_RETRY_BASE_MS: String(this.options.llmRetryBaseMs) } : {}),
      MAX_CONCURRENT_ACTIVATIONS: '4',
      RUNNER_DRAIN_TIMEOUT_MS: '2000',
    };
  }

  startCoordinator(env: NodeJS.ProcessEnv = {}): ChildService {
    const c = new ChildService(['coordinator'], {
      ...this.env,
      HOSTNAME: `coord-${this.coordinators.length}`,
      ...env,
    });
    this.coordinators.push(c);
    return c;
  }

  startRunner(env: NodeJS.ProcessEnv = {}): ChildService {
    const r = new ChildService(['runner', '--mode', 'hybrid'], {
      ...this.env,
      RUNNER_ID: `runner-${this.runners.length}`,
      ...env,
    });
    this.runners.push(r);
    return r;
  }

  /** Wait until a coordinator leads and every runner is claiming. */
  async ready(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.waitForEvent('runner_started', 30_000)));
    await waitFor(() => this.coordinators.some((c) => c.events().includes('became_leader')), { timeoutMs: 30_000 });
  }

  /** Post `count` mentions spread round-robin over the agents (or only `agents`), `spacingMs` apart. */
  async postMentions(count: number, spacingMs = 0, agents = this.agents): Promise<void> {
    for (let i = 0; i < count; i++) {
      const agent = agents[i % agents.length]!;
      const post = await this.human.createPost({
        agentId: 'human',
        content: `@${agent} question number ${this.posts.length}?`,
      });
      this.posts.push({ id: post.id, agent });
      if (spacingMs > 0) await new Promise((r) => setTimeout(r, spacingMs));
    }
  }

  /** Post one mention of `agent` whose prompt the LLM always fails on (see {@link POISON_PILL}). */
  async postPoison(agent: string, extra = ''): Promise<{ id: string; agent: string }> {
    const post = await this.human.createPost({
      agentId: 'human',
      content: `@${agent} this is a ${POISON_PILL}${extra}`,
    });
    return { id: post.id, agent };
  }

  /** Where a poison mention ended: replies on the Hub, unread notifications, `notification_failed` in the logs. */
  poisonResult(poison: { id: string; agent: string }): PoisonResult {
    const { replies, unread } = this.tally('', [poison]);
    const failedLogged = [...this.runners, ...this.retired].some((r) =>
      r.lines.some((l) => l.event === 'notification_failed' && l.post_id === poison.id),
    );
    return { replies, unread, failedLogged };
  }

  /** Wait until the poison mention ended failed (read, no reply, `notification_failed`). */
  async poisonFailed(poison: { id: string; agent: string }, timeoutMs = 120_000): Promise<PoisonResult> {
    return waitFor(
      () => {
        const r = this.poisonResult(poison);
        return r.unread === 0 && r.failedLogged ? r : undefined;
      },
      { timeoutMs, intervalMs: 250, message: `poison not failed: ${JSON.stringify(this.poisonResult(poison))}` },
    );
  }

  /** Log lines of every runner this cluster started (running and retired), merged in time order. */
  runnerLines(): Record<string, unknown>[] {
    const lines = [...this.runners, ...this.retired].flatMap((r) => r.lines);
    const at = (l: Record<string, unknown>): number =>
      typeof l.time === 'number' ? l.time : Date.parse(String(l.time));
    return lines.sort((a, b) => at(a) - at(b));
  }

  /** Stop tracking a runner as live (it was killed) while keeping its log lines for assertions. */
  retire(runner: ChildService): void {
    const i = this.runners.indexOf(runner);
    if (i >= 0) this.runners.splice(i, 1);
    this.retired.push(runner);
  }

  /** Count replies per mention post straight from the Hub's database. */
  tally(scenario: string, posts = this.posts): ScenarioResult {
    const count = this.hub.db.prepare('SELECT COUNT(*) AS n FROM comments WHERE post_id = ? AND author_id = ?');
    const unreadOf = this.hub.db.prepare(
      'SELECT COUNT(*) AS n FROM notifications WHERE read = 0 AND post_id = ? AND recipient_id = ?',
    );
    let unread = 0;
    let replies = 0;
    let lost = 0;
    let duplicates = 0;
    for (const p of posts) {
      const n = (count.get(p.id, p.agent) as { n: number }).n;
      replies += n;
      if (n === 0) lost++;
      if (n > 1) duplicates += n - 1;
      unread += (unreadOf.get(p.id, p.agent) as { n: number }).n;
    }
    return { scenario, mentions: posts.length, replies, lost, duplicates, unread };
  }

  /** Wait until every mention has a reply and every notification is read. */
  async drained(timeoutMs = 90_000, posts = this.posts): Promise<void> {
    await waitFor(
      () => {
        const t = this.tally('', posts);
        return t.lost === 0 && t.unread === 0;
      },
      { timeoutMs, intervalMs: 250, message: `not drained: ${JSON.stringify(this.tally('', posts))}` },
    );
  }

  /** Stop everything; with FAULTS_DUMP=<file>, first write every process's log lines there (debugging a scenario). */
  async close(): Promise<void> {
    const dump = process.env.FAULTS_DUMP;
    if (dump) {
      const lines = [...this.runnerLines(), ...this.coordinators.flatMap((x) => x.lines)];
      writeFileSync(dump, lines.map((l) => JSON.stringify(l)).join('\n'));
    }
    for (const c of [...this.runners, ...this.retired, ...this.coordinators]) await c.stop();
    await this.store.close().catch(() => undefined);
    await this.proxy.close();
    await this.hub.close();
    await this.llm.close();
    if (this.sentinel) await this.sentinel.stop();
    else await this.redis.stop();
  }
}
