// Resident memory of the runner and coordinator processes (compiled CLI, `npm run build` first): idle once started
// (after the coordinator's fresh-data-set wait), 15 s later (settled: V8 may have shrunk its heap by then) with the CPU
// time each process used in those 15 s (idle CPU), then after 20 activations of native agents. Hub process, fake LLM
// and a private redis-server as in bench/process-stack.ts. `BENCH_NODE_OPTIONS` is passed to both processes (to
// compare V8 settings). Run: npx tsx bench/memory.ts [agents=20] (every agent is defined; the coordinator reads each
// definition once on its first staleness pass).
import { startRedisServer } from '../src/testing/redis-server.js';
import { ProcessStack, processUsage } from './process-stack.js';
import { recordResult } from './record.js';

const AGENTS = Number(process.argv[2] ?? 20);
const SETTLE_MS = 15_000;
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
  const cpu0 = { runner: processUsage(runner.pid).cpuMs, coordinator: processUsage(coordinator.pid).cpuMs };
  await sleep(SETTLE_MS);
  const settled = { runner: processUsage(runner.pid), coordinator: processUsage(coordinator.pid) };
  const idleCpu = {
    runner: ((settled.runner.cpuMs - cpu0.runner) * 1000) / SETTLE_MS,
    coordinator: ((settled.coordinator.cpuMs - cpu0.coordinator) * 1000) / SETTLE_MS,
  };
  for (const name of names) {
    await stack.mention(name);
    await stack.waitForAgentEvent(runner, 'activation_completed', name);
  }
  await sleep(1_000);
  const busy = { runner: processUsage(runner.pid).rssMb, coordinator: processUsage(coordinator.pid).rssMb };
  const mb = (n: number): string => `${n.toFixed(0)} MB`;
  console.log(`NODE_OPTIONS: ${process.env.BENCH_NODE_OPTIONS ?? '(none)'}`);
  console.log(`idle once started:      runner ${mb(idle.runner)} | coordinator ${mb(idle.coordinator)}`);
  console.log(
    `15 s later (settled):   runner ${mb(settled.runner.rssMb)} | coordinator ${mb(settled.coordinator.rssMb)}; idle CPU runner ${idleCpu.runner.toFixed(1)} ms/s | coordinator ${idleCpu.coordinator.toFixed(1)} ms/s`,
  );
  console.log(`after ${AGENTS} activations: runner ${mb(busy.runner)} | coordinator ${mb(busy.coordinator)}`);
  recordResult('memory', {
    agents: AGENTS,
    node_options: process.env.BENCH_NODE_OPTIONS ?? null,
    idle_mb: idle,
    settled_mb: { runner: settled.runner.rssMb, coordinator: settled.coordinator.rssMb },
    idle_cpu_ms_per_s: idleCpu,
    after_mb: busy,
  });
} finally {
  await stack.close();
  await redis.stop();
}
