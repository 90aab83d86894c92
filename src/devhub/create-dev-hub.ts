import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { silentLogger, type Logger } from '../observability/logger.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { isLoopbackHost } from './web-guard.js';
import { buildDevHubApp } from './dev-hub-app.js';
import { DevHubActions } from './dev-hub-actions.js';
import type { DevHubContext, DevViews, WebPanel } from './dev-hub-context.js';
import { DevHubEvents } from './dev-hub-events.js';
import { openDevHubDb, type DevHubDb } from './database.js';
import { ensureKeys, generateKey, hashKey, type DevHubKeys } from './keys.js';
import { seedAgents, type SeedResult } from './seed-agents.js';
import { AgentStore, type RegisterAgentInput } from './store/agent-store.js';
import { IdempotencyStore } from './store/idempotency-store.js';
import { NotificationStore } from './store/notification-store.js';
import { PostStore } from './store/post-store.js';
import { SystemStore } from './store/system-store.js';
import type { WireAgent } from './wire.js';

/** Options of `createDevHub`. */
export interface DevHubOptions {
  /** SQLite file. @default ':memory:' */
  dbPath?: string;
  /** 0 picks a free port. @default 8000 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Admin key to accept (HUB_ADMIN_KEY); generated and stored when absent. */
  adminKey?: string;
  /** Service key to accept (HUB_API_KEY); generated and stored when absent. */
  serviceKey?: string;
  /** Name of the human user (HUB_HUMAN_NAME). @default 'human' */
  humanName?: string;
  /** Register the agents of `DIR/agents/<name>/config.yaml` at start. */
  seedAgentsDir?: string;
  /** Default per-agent limits in USD (0 = unlimited). @default 0 */
  dailyLimitUsd?: number;
  monthlyLimitUsd?: number;
  /** Extra panels on the web page (e.g. the dev mode's activity panel). */
  panels?: readonly WebPanel[];
  /** Dev-mode views of the page (system lines under posts, activation transcripts); none by default. */
  devViews?: DevViews;
  /** Add routes (e.g. a panel's JSON endpoint) before the server starts. */
  configureApp?: (app: Hono, ctx: DevHubContext) => void;
  logger?: Logger;
  clock?: Clock;
  /** Ignore `Idempotency-Key` (every POST creates), as a Hub without the extension would (tests). @default false */
  ignoreIdempotency?: boolean;
}

/** A running dev Hub. */
export interface DevHub {
  app: Hono;
  /** `http://host:port`, without `/api/v1`. */
  url: string;
  port: number;
  keys: DevHubKeys;
  db: DevHubDb;
  /** In-process events: subscribe to `notification` (the long-poll wake-up), `post`, `comment`, `activated`. */
  events: DevHubEvents;
  /** Stores and actions, for in-process callers (tests, dev mode). */
  context: DevHubContext;
  /** Agents registered or found by `seedAgentsDir`. */
  seeded: SeedResult[];
  /** Register an agent in-process (as `POST /agents/register` would); returns it with its new key. */
  registerAgent(input: RegisterAgentInput): { agent: WireAgent; apiKey: string };
  /** Stop listening, end held requests and close the database. Idempotent. */
  close(): Promise<void>;
}

/**
 * Start a dev Hub: open (or create) the SQLite database, resolve keys, register the human and seeded agents,
 * and listen. Works in-process on port 0 for tests and the all-in-one dev mode.
 */
export async function createDevHub(options: DevHubOptions = {}): Promise<DevHub> {
  const logger = (options.logger ?? silentLogger).child({ component: 'devhub' });
  const db = openDevHubDb(options.dbPath ?? ':memory:');
  const { context, controller } = buildContext(db, options, logger);
  const seeded = options.seedAgentsDir ? seedAgents(options.seedAgentsDir, context.agents, logger) : [];
  const app = buildDevHubApp(context, { host: options.host ?? '127.0.0.1' });
  options.configureApp?.(app, context);
  const server = await listen(app, options.port ?? 8000, options.host ?? '127.0.0.1').catch((error: unknown) => {
    db.close();
    throw error;
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info('devhub_listening', { url });
  if (!isLoopbackHost(host))
    logger.warn('devhub_exposed', {
      host,
      hint:
        'the dev Hub is reachable from other machines: its API takes the service key, and anyone who can reach it ' +
        'can use it with that key; it is a local tool — bind to 127.0.0.1 unless you mean it',
    });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    controller.abort();
    closing ??= shutdown(server, context, db);
    return closing;
  };
  const registerAgent = (input: RegisterAgentInput): { agent: WireAgent; apiKey: string } => {
    const apiKey = generateKey(input.type === 'human' ? 'human' : 'agent');
    return { agent: context.agents.register(input, hashKey(apiKey)), apiKey };
  };
  return { app, url, port, keys: context.keys, db, events: context.events, context, seeded, registerAgent, close };
}

function buildContext(
  db: DevHubDb,
  options: DevHubOptions,
  logger: Logger,
): { context: DevHubContext; controller: AbortController } {
  const clock = options.clock ?? systemClock;
  const events = new DevHubEvents();
  const agents = new AgentStore(db, clock);
  const posts = new PostStore(db, clock);
  const notifications = new NotificationStore(db, clock);
  const idempotency = new IdempotencyStore(db, clock);
  const system = new SystemStore(db, clock, {
    dailyLimitUsd: options.dailyLimitUsd ?? 0,
    monthlyLimitUsd: options.monthlyLimitUsd ?? 0,
  });
  db.prepare(
    "INSERT OR IGNORE INTO communities (name, description, created_at) VALUES ('general', 'General discussion', ?)",
  ).run(new Date(clock.now()).toISOString());
  const keys = ensureKeys(db, agents, {
    ...(options.adminKey ? { adminKey: options.adminKey } : {}),
    ...(options.serviceKey ? { serviceKey: options.serviceKey } : {}),
    humanName: options.humanName ?? 'human',
  });
  const controller = new AbortController();
  const actions = new DevHubActions({
    db,
    agents,
    posts,
    notifications,
    idempotency,
    events,
    ignoreIdempotency: options.ignoreIdempotency ?? false,
  });
  const context: DevHubContext = {
    db,
    clock,
    logger,
    events,
    keys,
    agents,
    posts,
    notifications,
    system,
    actions,
    shutdown: controller.signal,
    panels: options.panels ?? [],
    devViews: options.devViews ?? {},
  };
  return { context, controller };
}

function listen(app: Hono, port: number, hostname: string): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname }, () => resolve(server));
    server.once('error', reject);
  });
}

async function shutdown(server: ServerType, context: DevHubContext, db: DevHubDb): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
  db.close();
  context.logger.info('devhub_closed');
}
