// Coordinator at scale and runner footprint.
// - 10,000 registered agents, 1,000 with unread notifications: time of one inbox scheduling cycle
//   (GET /agents?has_notifications=true + dedupe/enqueue of 1,000 agents), Redis commands per enqueued item
//   (INFO commandstats delta), and the RSS of a coordinator process that scheduled them.
// - Runner process RSS idle, and with 16 concurrent activations (MAX_CONCURRENT_ACTIVATIONS=16, slow fake LLM).
// Run: npx tsx bench/scale.ts [agents=10000] [withNotifications=1000]
import { existsSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { FileAgentDefinitions } from '../src/agents/agent-definitions.js';
import { createCoordinatorMetrics } from '../src/coordinator/coordinator-metrics.js';
import { DefinedAgents } from '../src/coordinator/defined-agents.js';
import { scheduleInbox } from '../src/coordinator/inbox-scheduler.js';
import { createDevHub } from '../src/devhub/create-dev-hub.js';
import { HttpHubClient } from '../src/hub/http-hub-client.js';
import { silentLogger } from '../src/observability/logger.js';
import { createMetricsRegistry } from '../src/observability/metrics.js';
import { systemClock } from '../src/shared/clock.js';
import { RedisStore } from '../src/store/redis/redis-store.js';
import { writeAgentDefinitions } from '../src/testing/agent-fixtures.js';
import { ChildService } from '../src/testing/child-service.js';
import { FakeLlmServer, text } from '../src/testing/fake-llm-server.js';
import { startRedisServer } from '../src/testing/redis-server.js';
import { recordResult } from './record.js';

const AGENTS = Number(process.argv[2] ?? 10_000);
const WITH_NOTIFICATIONS = Number(process.argv[3] ?? 1_000);
const KEY = 'svc-scale-key-0123456789';
const LLM_KEY = 'sk-scale-llm-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMb = (pid: number): number =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** Commands Redis executed (including those run inside Lua scripts), and round trips that were script calls. */
async function commandCalls(redis: Redis): Promise<{ all: number; scripts: number }> {
  const info = await redis.info('commandstats');
  const all = [...info.matchAll(/calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  const scripts = [...info.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  return { all, scripts };
}

// Child processes run the compiled CLI (as the image does), so RSS does not include the TypeScript loader.
const DIST = new URL('../dist/cli/main.js', import.meta.url).pathname;
if (!existsSync(DIST)) throw new Error('run `npm run build` first: bench/scale.ts measures the compiled CLI');

const redis = await startRedisServer();
const plain = new Redis(redis.url);
const llm = await FakeLlmServer.start({ apiKey: LLM_KEY, latencyMs: 3_000 });
llm.respondWith(() => text('ok'));
const names = Array.from({ length: AGENTS }, (_, i) => `agent-${String(i).padStart(5, '0')}`);
const defsRoot = writeAgentDefinitions(names.map((name) => ({ name, apiBase: llm.url })));
const hub = await createDevHub({ port: 0, serviceKey: KEY, seedAgentsDir: defsRoot });
const human = new HttpHubClient({ baseUrl: hub.url, apiKey: KEY });
const env = {
  ...process.env,
  HUB_URL: hub.url,
  HUB_API_KEY: KEY,
  VALKEY_URL: redis.url,
  AGENT_DEFINITIONS_PATH: defsRoot,
  ANTHROPIC_API_KEY: LLM_KEY,
  METRICS_PORT: '0',
  LOG_LEVEL: 'INFO',
  MIN_STALENESS_SECONDS: '999999999',
};
const children: ChildService[] = [];
try {
  for (let i = 0; i < WITH_NOTIFICATIONS; i++)
    await human.createPost({ agentId: 'human', content: `@${names[i]} hello` });

  // One scheduling cycle, in-process, on a fresh Redis.
  await plain.flushall();
  const store = await RedisStore.create({ url: redis.url });
  const hubClient = new HttpHubClient({ baseUrl: hub.url, apiKey: KEY });
  const defined = new DefinedAgents(new FileAgentDefinitions({ root: defsRoot }), silentLogger, systemClock);
  const metrics = createCoordinatorMetrics(createMetricsRegistry(), store);
  await defined.isDefined(names[0]!); // warm the definitions listing (done once per 10 s in a coordinator)
  const callsBefore = await commandCalls(plain);
  const t0 = performance.now();
  const agents = await hubClient.listAgentsWithNotifications();
  const queued = await scheduleInbox(agents, { store, defined, logger: silentLogger, metrics });
  const cycleMs = performance.now() - t0;
  const callsAfter = await commandCalls(plain);
  const commandsPerItem = (callsAfter.all - callsBefore.all - 1) / queued;
  const scriptCallsPerItem = (callsAfter.scripts - callsBefore.scripts) / queued;
  const t1 = performance.now();
  const merged = await scheduleInbox(agents, { store, defined, logger: silentLogger, metrics });
  const repeatMs = performance.now() - t1;
  await store.close();
  console.log(`coordinator at scale: ${AGENTS} agents registered, ${agents.length} with unread notifications`);
  console.log(
    `  scheduling cycle: ${cycleMs.toFixed(0)} ms for ${queued} new items; a repeat cycle (all merged, ${merged} new) ${repeatMs.toFixed(0)} ms`,
  );
  console.log(
    `  Redis per enqueued item: ${scriptCallsPerItem.toFixed(2)} round trip(s) (EVALSHA), ${commandsPerItem.toFixed(2)} commands executed incl. inside the script`,
  );

  // A coordinator process doing the same from scratch: its RSS once the queue is full.
  await plain.flushall();
  const coordinator = new ChildService(['coordinator'], env, [DIST]);
  children.push(coordinator);
  const deadline = Date.now() + 120_000;
  while ((await plain.llen('work:queue:high')) < WITH_NOTIFICATIONS && Date.now() < deadline) await sleep(200);
  await sleep(1_000);
  const coordinatorRss = rssMb(coordinator.pid);
  console.log(
    `  coordinator RSS after scheduling ${await plain.llen('work:queue:high')} items: ${coordinatorRss.toFixed(0)} MB`,
  );
  coordinator.kill('SIGTERM');
  await coordinator.exited;

  // Runner footprint: idle, then 16 concurrent activations (the fake LLM holds each request 3 s).
  await plain.flushall();
  const runner = new ChildService(['runner'], { ...env, MAX_CONCURRENT_ACTIVATIONS: '16' }, [DIST]);
  children.push(runner);
  await runner.waitForEvent('runner_started', 60_000);
  await sleep(2_000);
  const idleRss = rssMb(runner.pid);
  const store2 = await RedisStore.create({ url: redis.url });
  for (let i = 0; i < 16; i++)
    await store2.enqueue({ agent_id: names[i]!, task_type: 'INBOX', inbox_count: 1, has_mention: true });
  await store2.close();
  let busyRss = 0;
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const started = runner.lines.filter((l) => l.event === 'activation_started').length;
    const done = runner.lines.filter((l) => l.event === 'activation_completed').length;
    if (started === 16 && done === 0) busyRss = Math.max(busyRss, rssMb(runner.pid));
    if (done === 16) break;
    await sleep(100);
  }
  console.log(`runner RSS: idle ${idleRss.toFixed(0)} MB, with 16 concurrent activations ${busyRss.toFixed(0)} MB`);
  runner.kill('SIGTERM');
  await runner.exited;
  recordResult('scale', {
    agents: AGENTS,
    with_notifications: agents.length,
    cycle_ms: cycleMs,
    repeat_cycle_ms: repeatMs,
    redis_commands_per_item: commandsPerItem,
    redis_round_trips_per_item: scriptCallsPerItem,
    coordinator_rss_mb: coordinatorRss,
    runner_idle_rss_mb: idleRss,
    runner_busy16_rss_mb: busyRss,
  });
} finally {
  for (const c of children) await c.stop();
  await plain.quit();
  await hub.close();
  await llm.close();
  await redis.stop();
}
