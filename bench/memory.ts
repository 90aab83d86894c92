// Resident memory of the runner and coordinator processes (compiled CLI, `npm run build` first): idle once started
// (after the coordinator's fresh-data-set wait), then after 20 activations of native agents. Hub process, fake LLM
// and a private redis-server as in bench/process-stack.ts. `BENCH_NODE_OPTIONS` is passed to both processes (to
// compare V8 settings). Run: npx tsx bench/memory.ts
import { startRedisServer } from '../src/testing/redis-server.js';
import { ProcessStack, processUsage } from './process-stack.js';
import { recordResult } from './record.js';

const AGENTS = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const redis = await startRedisServer();
const names = Array.from({ length: AGENTS }, (_, i) => `mem-${i}`);
const stack = await ProcessStack.start(redis.url, (llm) =>
  names.map((name) => ({ name, apiBase: llm.url, discovery: false })),
);
try {
  const extra = process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {};
  const coordinator = await stack.service('coordinator', 'became_leader', extra);
  const runner = await stack.service('runner', 'runner_started', extra);
  const fresh = await coordinator.waitForEvent('fresh_store_wait');
  await sleep(Math.max(2_000, Date.parse(String(fresh.time)) + Number(fresh.wait_ms) + 1_000 - Date.now()));
  const idle = { runner: processUsage(runner.pid).rssMb, coordinator: processUsage(coordinator.pid).rssMb };
  for (const name of names) {
    await stack.mention(name);
    await stack.waitForAgentEvent(runner, 'activation_completed', name);
  }
  await sleep(1_000);
  const busy = { runner: processUsage(runner.pid).rssMb, coordinator: processUsage(coordinator.pid).rssMb };
  const mb = (n: number): string => `${n.toFixed(0)} MB`;
  console.log(`NODE_OPTIONS: ${process.env.BENCH_NODE_OPTIONS ?? '(none)'}`);
  console.log(`idle once started:      runner ${mb(idle.runner)} | coordinator ${mb(idle.coordinator)}`);
  console.log(`after ${AGENTS} activations: runner ${mb(busy.runner)} | coordinator ${mb(busy.coordinator)}`);
  recordResult('memory', { node_options: process.env.BENCH_NODE_OPTIONS ?? null, idle_mb: idle, after_mb: busy });
} finally {
  await stack.close();
  await redis.stop();
}
