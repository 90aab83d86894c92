// Coordinator at scale and runner footprint.
// - For each scale (default 10,000 and 100,000 registered agents, 10% with unread mentions):
//   first inbox scheduling cycle on an empty Redis (GET /agents?has_notifications=true, every page, then fenced
//   batched enqueue), a repeat resync (every agent already queued: all merges), Redis time per agent per resync
//   (INFO commandstats: usec of the enqueue script calls, which include the commands they run; and Redis CPU from
//   INFO cpu), Hub requests per cycle, and the RSS of a coordinator process that scheduled them from scratch.
// - Runner process RSS idle, and with 16 concurrent activations (MAX_CONCURRENT_ACTIVATIONS=16, slow fake LLM).
// Run: npm run build && npx tsx bench/scale.ts [scales=10000,100000] [unreadShare=0.1]
import { existsSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { FileAgentDefinitions } from '../src/agents/agent-definitions.js';
import { createCoordinatorMetrics } from '../src/coordinator/coordinator-metrics.js';
import { DefinedAgents } from '../src/coordinator/defined-agents.js';
import { scheduleInbox } from '../src/coordinator/inbox-scheduler.js';
import { createDevHub, type DevHub } from '../src/devhub/create-dev-hub.js';
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

const SCALES = (process.argv[2] ?? '10000,100000').split(',').map(Number);
const UNREAD_SHARE = Number(process.argv[3] ?? 0.1);
const KEY = 'svc-scale-key-0123456789';
const LLM_KEY = 'sk-scale-llm-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMb = (pid: number): number =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** Redis's own accounting: usec spent in script calls (inner commands included) and the server's CPU seconds. */
async function redisTime(redis: Redis): Promise<{ scriptUsec: number; scriptCalls: number; cpuS: number }> {
  const stats = await redis.info('commandstats');
  const cpu = await redis.info('cpu');
  let scriptUsec = 0;
  let scriptCalls = 0;
  for (const m of stats.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+),usec=(\d+)/g)) {
    scriptCalls += Number(m[1]);
    scriptUsec += Number(m[2]);
  }
  const user = Number(/used_cpu_user:([\d.]+)/.exec(cpu)?.[1] ?? 0);
  const sys = Number(/used_cpu_sys:([\d.]+)/.exec(cpu)?.[1] ?? 0);
  return { scriptUsec, scriptCalls, cpuS: user + sys };
}

// Child processes run the compiled CLI (as the image does), so RSS does not include the TypeScript loader.
const DIST = new URL('../dist/cli/main.js', import.meta.url).pathname;
if (!existsSync(DIST)) throw new Error('run `npm run build` first: bench/scale.ts measures the compiled CLI');

const redis = await startRedisServer();
const plain = new Redis(redis.url);
const llm = await FakeLlmServer.start({ apiKey: LLM_KEY, latencyMs: 3_000 });
llm.respondWith(() => text('ok'));
const envFor = (hub: DevHub, defsRoot: string): NodeJS.ProcessEnv => ({
  ...process.env,
  HUB_URL: hub.url,
  HUB_API_KEY: KEY,
  VALKEY_URL: redis.url,
  AGENT_DEFINITIONS_PATH: defsRoot,
  ANTHROPIC_API_KEY: LLM_KEY,
  METRICS_PORT: '0',
  LOG_LEVEL: 'INFO',
  MIN_STALENESS_SECONDS: '999999999',
});

interface ScaleFigures {
  agents: number;
  with_notifications: number;
  first_cycle_ms: number;
  first_cycle_hub_ms: number;
  first_cycle_hub_requests: number;
  repeat_cycle_ms: number;
  repeat_cycle_hub_ms: number;
  repeat_cycle_hub_requests: number;
  repeat_redis_script_us_per_agent: number;
  repeat_redis_cpu_us_per_agent: number;
  repeat_script_calls: number;
  coordinator_rss_mb: number;
  coordinator_first_cycle_s: number;
}

/** One scale: a dev Hub with `agents` agents, `unread` of them mentioned once. */
async function measureScale(agents: number, children: ChildService[]): Promise<ScaleFigures> {
  const unread = Math.round(agents * UNREAD_SHARE);
  const names = Array.from({ length: agents }, (_, i) => `agent-${String(i).padStart(6, '0')}`);
  const defsRoot = writeAgentDefinitions(names.map((name) => ({ name, apiBase: llm.url })));
  const hub = await createDevHub({ port: 0, serviceKey: KEY, seedAgentsDir: defsRoot });
  try {
    const human = new HttpHubClient({ baseUrl: hub.url, apiKey: KEY });
    for (let i = 0; i < unread; i += 100) {
      const mentions = names.slice(i, Math.min(i + 100, unread)).map((n) => `@${n}`);
      await human.createPost({ agentId: 'human', content: `${mentions.join(' ')} hello` });
    }

    await plain.flushall();
    const store = await RedisStore.create({ url: redis.url });
    const token = (await store.tryAcquireLeadership('bench', 600_000))!;
    let hubRequests = 0;
    const counting: typeof fetch = (input, init) => {
      hubRequests++;
      return fetch(input, init);
    };
    const hubClient = new HttpHubClient({ baseUrl: hub.url, apiKey: KEY, fetch: counting });
    const defined = new DefinedAgents(new FileAgentDefinitions({ root: defsRoot }), silentLogger, systemClock);
    const metrics = createCoordinatorMetrics(createMetricsRegistry(), store);
    const deps = { store, defined, logger: silentLogger, metrics, token, signal: new AbortController().signal };
    await defined.isDefined(names[0]!); // warm the definitions listing (done once per 10 s in a coordinator)

    const cycle = async (): Promise<{
      ms: number;
      hubMs: number;
      scheduleMs: number;
      hub: number;
      queued: number;
      seen: number;
    }> => {
      const requestsBefore = hubRequests;
      const t0 = performance.now();
      const list = await hubClient.listAgentsWithNotifications();
      const hubMs = performance.now() - t0;
      const queued = await scheduleInbox(list, deps);
      const ms = performance.now() - t0;
      return { ms, hubMs, scheduleMs: ms - hubMs, hub: hubRequests - requestsBefore, queued, seen: list.length };
    };
    const first = await cycle();
    const before = await redisTime(plain);
    const repeat = await cycle();
    const after = await redisTime(plain);
    await store.releaseLeadership(token);
    await store.close();
    const scriptUs = (after.scriptUsec - before.scriptUsec) / repeat.seen;
    const cpuUs = ((after.cpuS - before.cpuS) * 1e6) / repeat.seen;
    console.log(`coordinator at scale: ${agents} agents registered, ${first.seen} with unread notifications`);
    console.log(
      `  first cycle ${first.ms.toFixed(0)} ms (Hub read ${first.hubMs.toFixed(0)} ms in ${first.hub} requests, scheduling ${first.scheduleMs.toFixed(0)} ms, ${first.queued} new items)`,
    );
    console.log(
      `  repeat resync ${repeat.ms.toFixed(0)} ms (Hub read ${repeat.hubMs.toFixed(0)} ms in ${repeat.hub} requests, scheduling ${repeat.scheduleMs.toFixed(0)} ms, ${repeat.queued} new)`,
    );
    console.log(
      `  repeat resync Redis time per agent: ${scriptUs.toFixed(1)} µs in scripts (${after.scriptCalls - before.scriptCalls} calls), ${cpuUs.toFixed(1)} µs Redis CPU`,
    );

    // A coordinator process doing the same from scratch: time to the full queue and its RSS then.
    await plain.flushall();
    const started = Date.now();
    const coordinator = new ChildService(['coordinator'], envFor(hub, defsRoot), [DIST], { checkDuplicateKeys: false });
    children.push(coordinator);
    const deadline = Date.now() + 300_000;
    while ((await plain.llen('work:queue:high')) < unread && Date.now() < deadline) await sleep(100);
    const coordinatorFirstCycleS = (Date.now() - started) / 1000;
    await sleep(1_000);
    const coordinatorRss = rssMb(coordinator.pid);
    console.log(
      `  coordinator process: ${await plain.llen('work:queue:high')} items queued ${coordinatorFirstCycleS.toFixed(1)} s after start (incl. process start), RSS ${coordinatorRss.toFixed(0)} MB`,
    );
    coordinator.kill('SIGTERM');
    await coordinator.exited;
    return {
      agents,
      with_notifications: first.seen,
      first_cycle_ms: first.ms,
      first_cycle_hub_ms: first.hubMs,
      first_cycle_hub_requests: first.hub,
      repeat_cycle_ms: repeat.ms,
      repeat_cycle_hub_ms: repeat.hubMs,
      repeat_cycle_hub_requests: repeat.hub,
      repeat_redis_script_us_per_agent: scriptUs,
      repeat_redis_cpu_us_per_agent: cpuUs,
      repeat_script_calls: after.scriptCalls - before.scriptCalls,
      coordinator_rss_mb: coordinatorRss,
      coordinator_first_cycle_s: coordinatorFirstCycleS,
    };
  } finally {
    await hub.close();
  }
}

const children: ChildService[] = [];
try {
  const scales: ScaleFigures[] = [];
  for (const agents of SCALES) scales.push(await measureScale(agents, children));

  // Runner footprint: idle, then 16 concurrent activations (the fake LLM holds each request 3 s).
  const runnerAgents = Array.from({ length: 16 }, (_, i) => `runner-agent-${i}`);
  const runnerDefs = writeAgentDefinitions(runnerAgents.map((name) => ({ name, apiBase: llm.url })));
  const runnerHub = await createDevHub({ port: 0, serviceKey: KEY, seedAgentsDir: runnerDefs });
  await plain.flushall();
  const runner = new ChildService(
    ['runner'],
    { ...envFor(runnerHub, runnerDefs), MAX_CONCURRENT_ACTIVATIONS: '16' },
    [DIST],
    { checkDuplicateKeys: false },
  );
  children.push(runner);
  await runner.waitForEvent('runner_started', 60_000);
  await sleep(2_000);
  const idleRss = rssMb(runner.pid);
  const store2 = await RedisStore.create({ url: redis.url });
  await store2.enqueueMany(
    runnerAgents.map((agent_id) => ({ agent_id, task_type: 'INBOX' as const, inbox_count: 1, has_mention: true })),
  );
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
  await runnerHub.close();
  recordResult('scale', { scales, runner_idle_rss_mb: idleRss, runner_busy16_rss_mb: busyRss });
} finally {
  for (const c of children) await c.stop();
  await plain.quit();
  await llm.close();
  await redis.stop();
}
