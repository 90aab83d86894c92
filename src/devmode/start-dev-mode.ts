import { secretRedactor } from '../observability/redaction.js';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Hono } from 'hono';
import { Registry } from 'prom-client';
import { FileAgentDefinitions, type AgentDefinitions } from '../agents/agent-definitions.js';
import { Coordinator } from '../coordinator/coordinator.js';
import { COORDINATOR_DEFAULTS } from '../coordinator/coordinator-options.js';
import { createDevHub, type DevHub } from '../devhub/create-dev-hub.js';
import type { WebPanel } from '../devhub/dev-hub-context.js';
import { createExecutorRegistry } from '../executors/create-executor-registry.js';
import type { ExecutorRegistry } from '../executors/executor-registry.js';
import { HttpHubClient } from '../hub/http-hub-client.js';
import type { Logger } from '../observability/logger.js';
import { nativeLlmFetch } from '../runner/llm-fetch.js';
import { llmFetch, sandboxFromEnv } from '../runner/main.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { createMcpToolsFromEnv } from '../mcp/create-mcp-tools-from-env.js';
import type { ActivationDeps } from '../activation/activation-types.js';
import { Runner } from '../runner/runner.js';
import { RUNNER_DEFAULTS } from '../runner/runner-options.js';
import { systemClock } from '../shared/clock.js';
import { MemoryStore } from '../store/memory/memory-store.js';
import { connectRedisStore } from '../store/redis/connect-redis-store.js';
import type { Store } from '../store/store.js';
import { ActivityFeed } from './activity-feed.js';
import { keyEnvsOf, planAgents, type AgentPlan } from './agent-plans.js';
import { devProviderFactory, devRunnerEnv } from './brain-routing.js';
import type { DevSettings } from './dev-settings.js';
import { ObservedExecutorRegistry, type RunObservers } from './observed-executors.js';
import { agentPanelItems } from './panels.js';
import { renderTranscript } from './render-transcript.js';
import { SystemLines } from './system-lines.js';
import { TranscriptStore } from './transcripts.js';
import { rewriteLogger, teeLogger } from './tee-logger.js';
import { removeDevInfo, writeDevInfo, type DevInfo } from './dev-info-file.js';
import { addOperatorRoute } from './operator-route.js';
import { DEV_ACTIVATIONS_PATH } from '../operations/transcript-client.js';

/** Flags of `botburrow-agents dev`. */
export interface DevModeOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** The agent definitions folder (with `agents/<name>/config.yaml`). */
  definitionsDir: string;
  /** Hybrid runners to run in-process. */
  runners: number;
  /** Folder of the dev Hub's SQLite database. */
  dataDir: string;
  /** Run CLI agents on the process sandbox when bubblewrap cannot run (`--allow-unsandboxed`). @default false */
  allowUnsandboxed?: boolean;
}

/** A running dev mode. */
export interface DevMode {
  hub: DevHub;
  /** The web page (and API base without `/api/v1`). */
  url: string;
  dbPath: string;
  definitionsDir: string;
  plans: AgentPlan[];
  store: { kind: 'memory' } | { kind: 'redis'; url: string };
  runners: number;
  /** The sandbox CLI agents run in; `unsandboxed` when that is the process fallback (`--allow-unsandboxed`). */
  sandbox: { kind: Sandbox['kind']; unsandboxed: boolean };
  feed: ActivityFeed;
  /** The last `DEV_TRANSCRIPTS` activation transcripts (`/dev/api/activations`). */
  transcripts: TranscriptStore;
  /** Why mentions got no reply, shown under the posts (`/dev/api/system-lines`). */
  systemLines: SystemLines;
  /** Stop runners (short drain) and coordinator, then the Hub and the store. Idempotent. */
  shutdown(): Promise<void>;
}

/** How long Ctrl-C lets a running activation finish before handing its work back. */
const DRAIN_MS = 1_000;

export const ACTIVITY_PANEL: WebPanel = {
  id: 'activity',
  title: 'Activity',
  path: '/dev/api/activity',
  refreshMs: 1000,
};
export const BRAINS_PANEL: WebPanel = { id: 'brains', title: 'Agents and brains', path: '/dev/api/agents' };
/** `GET <path>` lists the transcripts, `GET <path>/:id` answers one (`?format=text`: `renderTranscript`). */
export const ACTIVATIONS_PATH = DEV_ACTIVATIONS_PATH;
/** `GET <path>?post=<id>`: the system lines of one thread. */
export const SYSTEM_LINES_PATH = '/dev/api/system-lines';

/**
 * Composition root of `botburrow-agents dev`: the dev Hub (SQLite under `dataDir`, every agent of the definitions
 * folder registered), the coordinator and N hybrid runners in this process, on the in-memory store or on
 * Redis/Valkey when `settings.redisUrl` is set. Agents without an API key run on the offline brain.
 */
export async function startDevMode(
  options: DevModeOptions,
  settings: DevSettings,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DevMode> {
  const definitionsDir = resolve(options.definitionsDir);
  const redact = secretRedactor(env);
  const feed = new ActivityFeed({ redact });
  const transcripts = new TranscriptStore({ max: settings.transcripts, maxChars: settings.transcriptMaxChars, redact });
  const systemLines = new SystemLines({ redact });
  // The same executors and MCP servers as a runner: CLI agents and stdio MCP servers run in the sandbox.
  const sandbox = await sandboxFromEnv(env, logger);
  const executors = observedExecutors(env, sandbox, options, { feed, transcripts, systemLines });
  const extraTools = await createMcpToolsFromEnv(env, logger, sandbox);
  const plans = await planAgents(new FileAgentDefinitions({ root: definitionsDir, logger }), executors, env);
  const stores = await openStores(settings, options.runners, logger);
  const dbPath = join(resolve(options.dataDir), 'devhub.sqlite');
  let hub: DevHub;
  try {
    mkdirSync(resolve(options.dataDir), { recursive: true });
    hub = await createDevHub({
      dbPath,
      port: options.port,
      host: options.host,
      humanName: settings.humanName,
      ...(settings.adminKey ? { adminKey: settings.adminKey } : {}),
      ...(settings.serviceKey ? { serviceKey: settings.serviceKey } : {}),
      seedAgentsDir: definitionsDir,
      panels: [ACTIVITY_PANEL, BRAINS_PANEL],
      devViews: { systemLines: SYSTEM_LINES_PATH, activations: ACTIVATIONS_PATH },
      configureApp: (app, ctx) =>
        addDevRoutes(app, ctx.keys.admin, { feed, plans, transcripts, systemLines, store: stores.coordinator, logger }),
      logger,
    });
  } catch (error) {
    await Promise.allSettled(stores.all.map((s) => s.close()));
    throw error;
  }
  watchMentions(hub, plans, systemLines);
  const parts = startServices({
    hub,
    stores,
    settings,
    plans,
    definitionsDir,
    executors,
    extraTools,
    feed,
    transcripts,
    systemLines,
    logger,
    runnerEnv: devRunnerEnv(env, keyEnvsOf(plans)),
  });
  const store = settings.redisUrl ? { kind: 'redis' as const, url: settings.redisUrl } : { kind: 'memory' as const };
  writeDevInfo(options.dataDir, devInfoOf(hub.url, settings, dbPath));
  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (stopping ??= (async () => {
      await Promise.allSettled([parts.coordinator.stop(), ...parts.runners.map((r) => r.stop(DRAIN_MS))]);
      removeDevInfo(options.dataDir);
      await hub.close();
      await Promise.allSettled(stores.all.map((s) => s.close()));
      logger.info('dev_stopped');
    })());
  return {
    hub,
    url: hub.url,
    dbPath,
    definitionsDir,
    plans,
    store,
    runners: options.runners,
    sandbox: { kind: sandbox.kind, unsandboxed: sandbox.kind === 'process' && options.allowUnsandboxed === true },
    feed,
    transcripts,
    systemLines,
    shutdown,
  };
}

/**
 * Why CLI agents do not run in dev mode on the process sandbox (it would let a CLI read this process's
 * environment, keys included), unless `--allow-unsandboxed` accepts it.
 */
export function unsandboxedRefusal(sandbox: Sandbox, allowUnsandboxed: boolean): string | undefined {
  if (sandbox.kind !== 'process' || allowUnsandboxed) return undefined;
  return (
    'bubblewrap cannot run here, and without it a CLI could read your environment and keys; install bubblewrap ' +
    '(apt-get install bubblewrap) or start dev with --allow-unsandboxed to run CLI agents unsandboxed'
  );
}

interface Stores {
  coordinator: Store;
  runners: Store[];
  all: Store[];
}

/** One shared memory store, or one Redis connection set per component (as separate processes would have). */
async function openStores(settings: DevSettings, runners: number, logger: Logger): Promise<Stores> {
  const storeSettings = settings.shared.store;
  if (!settings.redisUrl) {
    const store = new MemoryStore(storeSettings);
    return { coordinator: store, runners: Array.from({ length: runners }, () => store), all: [store] };
  }
  const opened: Store[] = [];
  try {
    for (let i = 0; i <= runners; i++) opened.push(await connectRedisStore(settings.redisUrl, storeSettings, logger));
  } catch (error) {
    await Promise.allSettled(opened.map((s) => s.close()));
    throw error;
  }
  return { coordinator: opened[0]!, runners: opened.slice(1), all: opened };
}

/** What `dev.json` says about this dev mode (operator commands run from this folder find it through it): its URL and where its admin key is (never the key). */
function devInfoOf(url: string, settings: DevSettings, dbPath: string): DevInfo {
  return {
    url,
    pid: process.pid,
    admin_key: settings.adminKey ? { env: 'HUB_ADMIN_KEY' } : { database: dbPath },
    started_at: Date.now(),
  };
}

/** The runners' executors (as a runner builds them), each run observed by the dev page. */
function observedExecutors(
  env: NodeJS.ProcessEnv,
  sandbox: Sandbox,
  options: DevModeOptions,
  observers: RunObservers,
): ObservedExecutorRegistry {
  return new ObservedExecutorRegistry(
    createExecutorRegistry({
      native: { createProvider: devProviderFactory(), fetch: nativeLlmFetch(env) },
      cli: {
        sandbox,
        env,
        fetch: llmFetch(env),
        refuseReason: unsandboxedRefusal(sandbox, options.allowUnsandboxed ?? false),
      },
    }),
    observers,
  );
}

/** Feed the system lines from the Hub: its posts and comments (mentions of unknown or idle agents), its store. */
function watchMentions(hub: DevHub, plans: readonly AgentPlan[], systemLines: SystemLines): void {
  const { agents, notifications } = hub.context;
  systemLines.attach({
    plans,
    exists: (name) => agents.find(name) !== undefined,
    target: (id) => {
      const n = notifications.find(id);
      return n ? { postId: n.post_id, commentId: n.comment_id } : undefined;
    },
  });
  hub.events.on('post', (post) => systemLines.onHubItem(post));
  hub.events.on('comment', (comment) => systemLines.onHubItem(comment));
}

interface DevRouteSources {
  feed: ActivityFeed;
  plans: readonly AgentPlan[];
  transcripts: TranscriptStore;
  systemLines: SystemLines;
  /** The store the operator commands read (`POST /dev/admin/operator`, behind the admin key). */
  store: Store;
  logger: Logger;
}

/** The panels' and transcripts' JSON, and the operator commands' admin endpoint (run against the dev store). */
function addDevRoutes(app: Hono, adminKey: string, s: DevRouteSources): void {
  addOperatorRoute(app, adminKey, s.store, s.logger);
  app.get(ACTIVITY_PANEL.path, (c) => c.json({ items: s.feed.panelItems() }));
  app.get(BRAINS_PANEL.path, (c) => c.json({ items: agentPanelItems(s.plans) }));
  app.get(ACTIVATIONS_PATH, (c) => c.json({ activations: s.transcripts.list() }));
  app.get(`${ACTIVATIONS_PATH}/:id`, (c) => {
    const id = c.req.param('id');
    const transcript = s.transcripts.get(id);
    if (!transcript) {
      const detail =
        `no transcript for activation ${id}: dev mode keeps the last DEV_TRANSCRIPTS activations of this ` +
        `process (GET ${ACTIVATIONS_PATH} lists them)`;
      return c.json({ success: false, error: 'not found', detail }, 404);
    }
    if (c.req.query('format') === 'text') return c.text(renderTranscript(transcript));
    return c.json(transcript);
  });
  app.get(SYSTEM_LINES_PATH, (c) => {
    const post = c.req.query('post');
    if (!post) return c.json({ success: false, error: 'bad request', detail: 'post query parameter required' }, 400);
    return c.json({ lines: s.systemLines.forPost(post) });
  });
}

interface ServiceDeps {
  hub: DevHub;
  stores: Stores;
  settings: DevSettings;
  plans: readonly AgentPlan[];
  definitionsDir: string;
  executors: ExecutorRegistry;
  feed: ActivityFeed;
  transcripts: TranscriptStore;
  systemLines: SystemLines;
  logger: Logger;
  runnerEnv: NodeJS.ProcessEnv;
  extraTools: ActivationDeps['extraTools'];
}

/** Build and start the coordinator and the runners against the dev Hub. */
function startServices(d: ServiceDeps): { coordinator: Coordinator; runners: Runner[] } {
  const { settings, logger } = d;
  const hubClient = (): HttpHubClient => new HttpHubClient({ baseUrl: d.hub.url, apiKey: d.hub.keys.service, logger });
  const definitions = new FileAgentDefinitions({ root: d.definitionsDir, logger });
  const coordinator = new Coordinator(
    {
      store: d.stores.coordinator,
      hub: hubClient(),
      definitions: withoutIdle(definitions, d.plans),
      logger: explainIdle(logger, d.plans),
      registry: new Registry(), // no /metrics in dev mode: a bare registry per component
      clock: systemClock,
    },
    {
      ...COORDINATOR_DEFAULTS,
      instanceId: `dev-coordinator-${process.pid}`,
      pollIntervalMs: settings.pollIntervalSeconds * 1000,
      inboxResyncMs: settings.pollIntervalSeconds * 1000,
      minStalenessSeconds: settings.minStalenessSeconds,
      minActivationIntervalSeconds: settings.minActivationIntervalSeconds,
      leaderLeaseMs: settings.shared.store.leaderLeaseSeconds * 1000,
    },
    d.hub.url,
  );
  const runnerLogger = teeLogger(logger, (event, fields) => {
    d.feed.onLog(event, fields);
    d.transcripts.onLog(event, fields);
    d.systemLines.onLog(event, fields);
  });
  const runners = d.stores.runners.map(
    (store, i) =>
      new Runner(
        {
          store,
          hub: hubClient(),
          definitions,
          executors: d.executors,
          logger: runnerLogger,
          env: d.runnerEnv,
          extraTools: d.extraTools,
          registry: new Registry(),
          clock: systemClock,
        },
        {
          ...RUNNER_DEFAULTS,
          runnerId: `dev-runner-${i + 1}`,
          mode: 'hybrid',
          maxConcurrentActivations: settings.maxConcurrentActivations,
          activationTimeoutMs: settings.activationTimeoutSeconds * 1000,
          leaseMs: settings.shared.store.leaseSeconds * 1000,
          drainTimeoutMs: DRAIN_MS,
        },
      ),
  );
  coordinator.start();
  for (const r of runners) r.start();
  return { coordinator, runners };
}

/**
 * The coordinator's view of the definitions: agents found unavailable or invalid at start are left out, so they
 * get no work (and no failures and backoff); agents added to the folder later are scheduled as usual.
 */
function withoutIdle(definitions: AgentDefinitions, plans: readonly AgentPlan[]): AgentDefinitions {
  const idle = new Set(plans.filter((p) => p.status !== 'live').map((p) => p.name));
  return {
    root: definitions.root,
    load: (name) => definitions.load(name),
    list: async () => (await definitions.list()).filter((name) => !idle.has(name)),
  };
}

/** The coordinator's `agent_not_defined` for an agent left out by {@link withoutIdle} says why, at info level. */
function explainIdle(logger: Logger, plans: readonly AgentPlan[]): Logger {
  const reasons = new Map(plans.flatMap((p) => (p.status === 'live' ? [] : [[p.name, p.reason] as const])));
  return rewriteLogger(logger, (line, merged) => {
    const reason = reasons.get(String(merged.agent_id));
    if (line.event !== 'agent_not_defined' || reason === undefined) return line;
    return { level: 'info', event: 'agent_not_run_in_dev_mode', fields: { agent_id: merged.agent_id, reason } };
  });
}
