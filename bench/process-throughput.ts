// Activations/s with 1, 2 and 4 separate runner processes (compiled CLI, MAX_CONCURRENT_ACTIVATIONS 1 each, zero-
// latency fake LLM), the dev Hub and the coordinator as their own processes too (bench/process-stack.ts): a burst of
// mentions to distinct native agents, queued first, then timed from the runners' start to the last
// `activation_completed`. The machine's
// core count bounds the scaling: the Hub, coordinator, Redis and the runners share them.
// Run: npx tsx bench/process-throughput.ts [mentions=300]
import { cpus } from 'node:os';
import type { ChildService } from '../src/testing/child-service.js';
import { startRedisServer } from '../src/testing/redis-server.js';
import { waitFor } from '../src/testing/wait-for.js';
import { ProcessStack, processUsage } from './process-stack.js';
import { recordResult } from './record.js';

const MENTIONS = Number(process.argv[2] ?? 300);
const ROUNDS = [1, 2, 4];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const agentsOf = (runners: number): string[] =>
  Array.from({ length: MENTIONS }, (_, i) => `tp${runners}-${String(i).padStart(4, '0')}`);

const redis = await startRedisServer();
const stack = await ProcessStack.start(redis.url, (llm) =>
  ROUNDS.flatMap((n) => agentsOf(n).map((name) => ({ name, apiBase: llm.url, discovery: false }))),
);
try {
  const coordinator = await stack.service('coordinator', 'became_leader');
  const fresh = await coordinator.waitForEvent('fresh_store_wait');
  await sleep(Math.max(0, Date.parse(String(fresh.time)) + Number(fresh.wait_ms) + 500 - Date.now()));
  console.log(`${MENTIONS} mentions back to back to distinct native agents; ${cpus().length} cores`);
  const rows = [];
  for (const n of ROUNDS) {
    const agents = agentsOf(n);
    // The whole burst is queued first (8 posts at a time), so the posting speed does not bound the figure.
    const enqueued = (): number => coordinator.lines.filter((l) => l.event === 'work_enqueued').length;
    const before = enqueued();
    for (let i = 0; i < agents.length; i += 8) await Promise.all(agents.slice(i, i + 8).map((a) => stack.mention(a)));
    await waitFor(() => enqueued() - before >= agents.length, { timeoutMs: 120_000 });
    const hubCpu0 = processUsage(stack.hub.pid).cpuMs;
    const coordinatorCpu0 = processUsage(coordinator.pid).cpuMs;
    const runners: ChildService[] = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        stack.service('runner', 'runner_started', { RUNNER_ID: `tp-runner-${n}-${i}` }),
      ),
    );
    const started = Math.min(
      ...runners.map((r) => Date.parse(String(r.lines.find((l) => l.event === 'runner_started')!.time))),
    );
    const cpu0 = runners.map((r) => processUsage(r.pid).cpuMs);
    const t0 = performance.now() - (Date.now() - started);
    const done = (): number =>
      runners.reduce((sum, r) => sum + r.lines.filter((l) => l.event === 'activation_completed').length, 0);
    await waitFor(() => done() >= agents.length, { timeoutMs: 600_000, intervalMs: 20 });
    const seconds = (performance.now() - t0) / 1000;
    const cpuMs = runners.reduce((sum, r, i) => sum + processUsage(r.pid).cpuMs - cpu0[i]!, 0) / agents.length;
    const hubCpuMs = (processUsage(stack.hub.pid).cpuMs - hubCpu0) / agents.length;
    const coordinatorCpuMs = (processUsage(coordinator.pid).cpuMs - coordinatorCpu0) / agents.length;
    const perS = agents.length / seconds;
    console.log(
      `${n} runner process(es): ${perS.toFixed(1)} activations/s | CPU per activation: runners ${cpuMs.toFixed(1)} ms, Hub ${hubCpuMs.toFixed(1)} ms, coordinator ${coordinatorCpuMs.toFixed(1)} ms`,
    );
    rows.push({
      runner_processes: n,
      mentions: agents.length,
      activations_per_s: perS,
      cpu_ms_per_activation: { runners: cpuMs, hub: hubCpuMs, coordinator: coordinatorCpuMs },
    });
    for (const r of runners) {
      r.kill('SIGTERM');
      await r.exited;
    }
  }
  recordResult('process_throughput', { cores: cpus().length, rows });
} finally {
  await stack.close();
  await redis.stop();
}
